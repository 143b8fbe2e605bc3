//! Texts as codes: a message key with its arguments. The words live in the Fluent files
//! (`frontend/locales/<lang>/`) under the key, in every language; nothing parses a
//! sentence back into a key.

use std::collections::BTreeMap;

/// A message key and the values of its `{ $name }`s.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Message {
    pub key: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, Arg>,
}

/// The value of one argument.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum Arg {
    Int(i64),
    Text(String),
}

impl std::fmt::Display for Arg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Arg::Int(n) => write!(f, "{n}"),
            Arg::Text(s) => f.write_str(s),
        }
    }
}

macro_rules! int_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Arg {
                Arg::Int(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
    )*};
}
int_arg!(i32, i64, u16, u32, u64, usize);

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_string())
    }
}
impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}
impl From<&String> for Arg {
    fn from(s: &String) -> Arg {
        Arg::Text(s.clone())
    }
}

impl Message {
    /// The message `key` without arguments.
    pub fn new(key: impl Into<String>) -> Message {
        Message {
            key: key.into(),
            args: BTreeMap::new(),
        }
    }

    /// Adds the argument `name`.
    pub fn arg(mut self, name: &str, value: impl Into<Arg>) -> Message {
        self.args.insert(name.to_string(), value.into());
        self
    }

    /// As stored in a text column: `{"key":...,"args":{...}}`.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A message stored with [`Message::to_json`]; `None` for anything else.
    pub fn from_json(s: &str) -> Option<Message> {
        if !s.starts_with('{') {
            return None;
        }
        serde_json::from_str(s).ok()
    }
}

/// `msg!("v-max-chars", max = 80)`: a [`Message`] with its arguments.
#[macro_export]
macro_rules! msg {
    ($key:expr $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::core::message::Message::new($key)$(.arg(stringify!($name), $value))*
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_through_json() {
        let m = crate::msg!("access-booking", booking = "b-1", seats = 2);
        assert_eq!(m.args["seats"], Arg::Int(2));
        let s = m.to_json();
        assert_eq!(
            s,
            r#"{"key":"access-booking","args":{"booking":"b-1","seats":2}}"#
        );
        assert_eq!(Message::from_json(&s), Some(m));
        assert_eq!(Message::from_json("booking b-1 (name)"), None);
    }
}
