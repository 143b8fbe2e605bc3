//! The OAuth scopes an app or module may hold: what each lets it do, by name. An app
//! holds some for a resident who agreed on the consent page; a module holds its own.
//! Personal API tokens and the browser session are not limited by scopes.

use std::collections::BTreeSet;

use poem_openapi::OAuthScopes;

/// One scope. The doc comments are the spec's descriptions; the consent page says the
/// same in the resident's words (`oauth-scope-...` in `oauth.ftl`).
#[derive(OAuthScopes, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Read the resident's account: name, email address, and who read their data.
    #[oai(rename = "account:read")]
    AccountRead,
    /// Read the resident's bookings and waiting-list places.
    #[oai(rename = "bookings:read")]
    BookingsRead,
    /// Book, confirm, reschedule and cancel for the resident; join and leave waiting lists.
    #[oai(rename = "bookings:write")]
    BookingsWrite,
    /// Create and change the listings and offers of the resident's organizations.
    #[oai(rename = "listings:write")]
    ListingsWrite,
    /// Manage the resident's organizations: members, partner connections, their bookings.
    #[oai(rename = "organizations:manage")]
    OrganizationsManage,
    /// For modules (client credentials): check the tokens apps present to them
    /// (`POST /oauth/introspect`).
    #[oai(rename = "tokens:introspect")]
    TokensIntrospect,
    /// For modules: read the applications and reports of the module's own services (their
    /// status and timeline, not the resident's data).
    #[oai(rename = "module:cases:read")]
    ModuleCasesRead,
    /// For modules: move the module's own cases through their statuses.
    #[oai(rename = "module:cases:status")]
    ModuleCasesStatus,
    /// For modules: post messages, questions and documents to the module's own cases.
    #[oai(rename = "module:cases:messages")]
    ModuleCasesMessages,
    /// For modules: publish and update the descriptions of the module's own services.
    #[oai(rename = "module:services:write")]
    ModuleServicesWrite,
    /// For modules: read the resident data a resident agreed to send for one of the
    /// module's cases, and only the categories its approved manifest names; every read
    /// is recorded in the resident's access log.
    #[oai(rename = "module:resident-data:read")]
    ModuleResidentDataRead,
}

impl Scope {
    /// Every scope, in the order pages list them.
    pub const ALL: [Scope; 11] = [
        Scope::AccountRead,
        Scope::BookingsRead,
        Scope::BookingsWrite,
        Scope::ListingsWrite,
        Scope::OrganizationsManage,
        Scope::TokensIntrospect,
        Scope::ModuleCasesRead,
        Scope::ModuleCasesStatus,
        Scope::ModuleCasesMessages,
        Scope::ModuleServicesWrite,
        Scope::ModuleResidentDataRead,
    ];

    /// The scope's name, e.g. `bookings:read`.
    pub fn as_str(self) -> &'static str {
        OAuthScopes::name(&self)
    }

    /// The scope of this name.
    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The message id of its words on the consent and account pages.
    pub fn message_key(self) -> String {
        format!("oauth-scope-{}", self.as_str().replace(':', "-"))
    }

    /// Whether a module may hold it for itself (client credentials) rather than only for
    /// a resident.
    pub fn is_for_modules(self) -> bool {
        matches!(
            self,
            Scope::TokensIntrospect
                | Scope::ModuleCasesRead
                | Scope::ModuleCasesStatus
                | Scope::ModuleCasesMessages
                | Scope::ModuleServicesWrite
                | Scope::ModuleResidentDataRead
        )
    }
}

/// A set of scopes, written space-separated (RFC 6749 3.3).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScopeSet(BTreeSet<Scope>);

impl ScopeSet {
    /// Parses `scope`: names separated by spaces; `Err` names the first unknown one.
    pub fn parse(s: &str) -> Result<ScopeSet, String> {
        s.split(' ')
            .filter(|p| !p.is_empty())
            .map(|p| Scope::parse(p).ok_or_else(|| p.to_string()))
            .collect::<Result<BTreeSet<_>, _>>()
            .map(ScopeSet)
    }

    /// The set as stored and sent: names in a fixed order, space-separated.
    pub fn to_string_list(&self) -> String {
        self.0
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn contains(&self, s: Scope) -> bool {
        self.0.contains(&s)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn is_subset(&self, other: &ScopeSet) -> bool {
        self.0.is_subset(&other.0)
    }

    pub fn union(&self, other: &ScopeSet) -> ScopeSet {
        ScopeSet(self.0.union(&other.0).copied().collect())
    }

    pub fn intersection(&self, other: &ScopeSet) -> ScopeSet {
        ScopeSet(self.0.intersection(&other.0).copied().collect())
    }

    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }

    /// The scopes of `self` that `other` lacks.
    pub fn difference(&self, other: &ScopeSet) -> ScopeSet {
        ScopeSet(self.0.difference(&other.0).copied().collect())
    }
}

impl FromIterator<Scope> for ScopeSet {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        ScopeSet(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_and_print_in_a_fixed_order() {
        let s = ScopeSet::parse("bookings:write  account:read").unwrap();
        assert_eq!(s.to_string_list(), "account:read bookings:write");
        assert_eq!(ScopeSet::parse("bookings:read nope"), Err("nope".into()));
        assert!(ScopeSet::parse("").unwrap().is_empty());
        for s in Scope::ALL {
            assert_eq!(Scope::parse(s.as_str()), Some(s));
        }
    }
}
