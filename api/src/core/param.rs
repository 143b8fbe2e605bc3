//! Parameters the published document marks required whose absence the handler answers
//! itself, with the operation's own problem (a listing's write without `If-Match` is
//! 428 `if-match-required`, a booking without `Idempotency-Key` 400
//! `idempotency-key-missing`), rather than the generic 422 of a parameter poem-openapi
//! finds missing.

use std::borrow::Cow;

use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{ParseError, ParseFromParameter, ParseResult, Type};

/// A parameter the document says is required (`required: true`); `None` when the
/// request left it out, for the handler to refuse in its own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Required<T>(pub Option<T>);

impl<T: Type> Type for Required<T> {
    const IS_REQUIRED: bool = true;

    type RawValueType = T::RawValueType;

    type RawElementValueType = T::RawElementValueType;

    fn name() -> Cow<'static, str> {
        T::name()
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        self.0.as_ref().and_then(Type::as_raw_value)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        match &self.0 {
            Some(value) => value.raw_element_iter(),
            None => Box::new(std::iter::empty()),
        }
    }
}

impl<T: ParseFromParameter> ParseFromParameter for Required<T> {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        T::parse_from_parameter(value)
            .map(|v| Required(Some(v)))
            .map_err(ParseError::propagate)
    }

    fn parse_from_parameters<I: IntoIterator<Item = A>, A: AsRef<str>>(
        iter: I,
    ) -> ParseResult<Self> {
        let mut iter = iter.into_iter().peekable();
        if iter.peek().is_none() {
            return Ok(Required(None));
        }
        T::parse_from_parameters(iter)
            .map(|v| Required(Some(v)))
            .map_err(ParseError::propagate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_is_none_and_present_is_parsed() {
        const { assert!(<Required<String> as Type>::IS_REQUIRED) };
        let none: [&str; 0] = [];
        assert_eq!(
            Required::<String>::parse_from_parameters(none).unwrap(),
            Required(None)
        );
        assert_eq!(
            Required::<String>::parse_from_parameters(["\"abc\""]).unwrap(),
            Required(Some("\"abc\"".to_string()))
        );
    }
}
