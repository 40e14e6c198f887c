//! Keyword enums (a fixed set of snake_case names, such as stages and
//! teams), all made by one macro so they behave alike, and [`ValueError`],
//! the error for a name or a value a type does not accept.

use std::fmt;

use crate::suggest;

/// A name or a value that a type does not accept: an unknown stage or
/// channel, a malformed currency, a negative amount, a parameter value of
/// the wrong type.
///
/// Its message names the type, repeats the input and, for a misspelt
/// name, suggests the closest one.
///
/// ```
/// use leadgate::lead::ValueErrorKind;
/// use leadgate::Stage;
///
/// let err = "mqll".parse::<Stage>().unwrap_err();
/// assert_eq!(err.kind(), ValueErrorKind::UnknownName);
/// assert_eq!(err.what(), "stage");
/// assert_eq!(err.input(), "mqll");
/// assert_eq!(err.suggestion(), Some("mql"));
/// assert_eq!(err.to_string(), "unknown stage \"mqll\" (did you mean \"mql\"?)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    kind: ValueErrorKind,
    what: &'static str,
    input: String,
    suggestion: Option<String>,
    message: String,
}

/// What kind of [`ValueError`].
///
/// ```
/// use leadgate::lead::ValueErrorKind;
/// use leadgate::{Currency, Stage};
/// assert_eq!("mqll".parse::<Stage>().unwrap_err().kind(), ValueErrorKind::UnknownName);
/// assert_eq!("usd".parse::<Currency>().unwrap_err().kind(), ValueErrorKind::Invalid);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValueErrorKind {
    /// Not one of the names the type accepts.
    UnknownName,
    /// A value of the right shape but not allowed (a negative amount, a
    /// malformed code, text that does not read as the declared type).
    Invalid,
}

impl ValueError {
    /// `input` is not one of `names`: the message suggests the closest one,
    /// or lists them all.
    pub(crate) fn unknown<'a>(
        what: &'static str,
        input: &str,
        names: impl IntoIterator<Item = &'a str> + Clone,
    ) -> ValueError {
        let suggestion = suggest::closest(input, names.clone()).map(str::to_owned);
        let message = match &suggestion {
            Some(s) => format!("unknown {what} {input:?} (did you mean {s:?}?)"),
            None => {
                let names: Vec<_> = names.into_iter().collect();
                format!("unknown {what} {input:?}; expected one of: {}", names.join(", "))
            }
        };
        ValueError { kind: ValueErrorKind::UnknownName, what, input: input.to_owned(), suggestion, message }
    }

    /// `input` is not one of the names `what` accepts, with `message` saying so.
    pub(crate) fn unknown_as(
        what: &'static str,
        input: &str,
        suggestion: Option<&str>,
        message: String,
    ) -> ValueError {
        ValueError {
            kind: ValueErrorKind::UnknownName,
            what,
            input: input.to_owned(),
            suggestion: suggestion.map(str::to_owned),
            message,
        }
    }

    /// `input` is not a valid `what`, for the reason `message` gives.
    pub(crate) fn invalid(
        what: &'static str,
        input: impl Into<String>,
        message: impl Into<String>,
    ) -> ValueError {
        ValueError {
            kind: ValueErrorKind::Invalid,
            what,
            input: input.into(),
            suggestion: None,
            message: message.into(),
        }
    }

    /// Adds to the message (a hint on what to write instead).
    pub(crate) fn with_hint(mut self, hint: &str) -> ValueError {
        self.message.push_str(hint);
        self
    }

    /// What went wrong.
    ///
    /// ```
    /// use leadgate::lead::ValueErrorKind;
    /// use leadgate::{Channel, Money};
    /// let err = Money::new(-5.0, "EUR".parse()?).unwrap_err();
    /// assert_eq!(err.kind(), ValueErrorKind::Invalid);
    /// assert_eq!("webnar".parse::<Channel>().unwrap_err().kind(), ValueErrorKind::UnknownName);
    /// # Ok::<(), leadgate::ValueError>(())
    /// ```
    pub fn kind(&self) -> ValueErrorKind {
        self.kind
    }

    /// The kind of value expected, such as `"stage"` or `"currency"`.
    ///
    /// ```
    /// use leadgate::{BuyingRole, Currency};
    /// assert_eq!("usd".parse::<Currency>().unwrap_err().what(), "currency");
    /// assert_eq!("buyer".parse::<BuyingRole>().unwrap_err().what(), "buying role");
    /// ```
    pub fn what(&self) -> &'static str {
        self.what
    }

    /// The input as given.
    ///
    /// ```
    /// use leadgate::Channel;
    /// assert_eq!("Webinar".parse::<Channel>().unwrap_err().input(), "Webinar");
    /// assert_eq!(Channel::custom("Pod Cast").unwrap_err().input(), "custom:Pod Cast");
    /// ```
    pub fn input(&self) -> &str {
        &self.input
    }

    /// The closest accepted name, for a likely typo.
    ///
    /// ```
    /// use leadgate::{Grade, Stage};
    /// assert_eq!("oportunity".parse::<Stage>().unwrap_err().suggestion(), Some("opportunity"));
    /// assert_eq!("b".parse::<Grade>().unwrap_err().suggestion(), Some("B"));
    /// assert_eq!("won".parse::<Stage>().unwrap_err().suggestion(), None);
    /// ```
    pub fn suggestion(&self) -> Option<&str> {
        self.suggestion.as_deref()
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ValueError {}

/// Defines a keyword enum: `#[non_exhaustive]`, with `ALL` (a slice),
/// `as_str`, `Display`, `FromStr` (exact names, a [`ValueError`] with a
/// suggestion otherwise) and serde as the same names.
macro_rules! keyword_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident as $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The name used in JSON, scripts and tables.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::lead::ValueError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)*
                    _ => Err($crate::lead::ValueError::unknown($what, s, [$($text),*])),
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(::serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use keyword_enum;
