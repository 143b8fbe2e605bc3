//! For the test suites of the workspace: whether a live Meilisearch test runs, skips or
//! fails in the environment it runs in.
//!
//! A live test runs against `MEILI_URL` (with `MEILI_API_KEY`, if set). Without one it
//! is skipped with one printed line, unless `REQUIRE_ALL_BACKENDS=1` asks for every
//! backend: then it fails, unless `MEILI_OPTIONAL=1` says this run has no Meilisearch
//! on purpose (`scripts/test` sets it when it found no `meilisearch` to start).

/// What a live Meilisearch test does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LiveMeili {
    /// Test against this server.
    Run {
        url: String,
        api_key: Option<String>,
    },
    /// Skip the test, printing this line.
    Skip(String),
    /// Fail the test with this line.
    Fail(String),
}

/// The decision for the environment `var` looks variables up in.
pub fn live_meili_in(var: impl Fn(&str) -> Option<String>) -> LiveMeili {
    let is_1 = |name: &str| var(name).is_some_and(|v| v.trim() == "1");
    match var("MEILI_URL").filter(|u| !u.trim().is_empty()) {
        Some(url) => LiveMeili::Run {
            url,
            api_key: var("MEILI_API_KEY").filter(|k| !k.is_empty()),
        },
        None if is_1("REQUIRE_ALL_BACKENDS") && !is_1("MEILI_OPTIONAL") => LiveMeili::Fail(
            "MEILI_URL is not set but REQUIRE_ALL_BACKENDS=1 (set MEILI_OPTIONAL=1 to skip the live Meilisearch tests)"
                .into(),
        ),
        None => LiveMeili::Skip(
            "skipped: MEILI_URL is not set, no live Meilisearch to test against".into(),
        ),
    }
}

/// The live Meilisearch of this test run (its URL and key), or `None` after printing
/// one line that the test is skipped; panics with one line when one is required.
pub fn live_meili() -> Option<(String, Option<String>)> {
    match live_meili_in(|k| std::env::var(k).ok()) {
        LiveMeili::Run { url, api_key } => Some((url, api_key)),
        LiveMeili::Skip(line) => {
            println!("{line}");
            None
        }
        LiveMeili::Fail(line) => panic!("{line}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(vars: &[(&str, &str)]) -> LiveMeili {
        live_meili_in(|k| {
            vars.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn a_missing_meilisearch_fails_only_when_every_backend_is_required() {
        let run = LiveMeili::Run {
            url: "http://127.0.0.1:7700".into(),
            api_key: Some("key".into()),
        };
        let url = ("MEILI_URL", "http://127.0.0.1:7700");
        let key = ("MEILI_API_KEY", "key");
        let all = ("REQUIRE_ALL_BACKENDS", "1");
        let optional = ("MEILI_OPTIONAL", "1");
        // A Meilisearch is given: the tests run, whatever else is set.
        assert_eq!(decide(&[url, key]), run);
        assert_eq!(decide(&[url, key, all]), run);
        assert_eq!(decide(&[url, key, all, optional]), run);
        assert_eq!(
            decide(&[url]),
            LiveMeili::Run {
                url: url.1.into(),
                api_key: None
            }
        );
        // None given: skipped, unless every backend is required.
        assert!(matches!(decide(&[]), LiveMeili::Skip(_)));
        assert!(matches!(
            decide(&[("REQUIRE_ALL_BACKENDS", "0")]),
            LiveMeili::Skip(_)
        ));
        assert!(matches!(decide(&[all]), LiveMeili::Fail(_)));
        assert!(matches!(
            decide(&[all, ("MEILI_URL", " ")]),
            LiveMeili::Fail(_)
        ));
        // ... and the run says it has no Meilisearch on purpose.
        assert!(matches!(decide(&[all, optional]), LiveMeili::Skip(_)));
        assert!(matches!(
            decide(&[all, ("MEILI_OPTIONAL", "0")]),
            LiveMeili::Fail(_)
        ));
        // One line each.
        for d in [decide(&[]), decide(&[all])] {
            let (LiveMeili::Skip(line) | LiveMeili::Fail(line)) = d else {
                unreachable!()
            };
            assert!(!line.contains('\n') && line.contains("MEILI_URL"), "{line}");
        }
    }
}
