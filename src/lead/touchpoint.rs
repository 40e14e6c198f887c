//! Touchpoints: every contact between a lead and the company.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::keyword::keyword_enum;
use crate::Text;
use crate::lead::ValueError;

keyword_enum! {
    /// The team that owns a touchpoint or a lifecycle stage.
    ///
    /// Marketing works one-to-many (ads, content, email, events); sales works
    /// one-to-one (calls, meetings, proposals).
    ///
    /// ```
    /// use leadgate::{Channel, Team};
    /// assert_eq!(Channel::Meeting.default_team(), Team::Sales);
    /// assert_eq!(serde_json::to_string(&Team::Marketing)?, "\"marketing\"");
    /// assert_eq!(Team::Sales.as_str(), "sales");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub enum Team as "team" {
        /// One-to-many: awareness, lead generation, nurture.
        Marketing = "marketing",
        /// One-to-one: calls, meetings, demos, proposals, closing.
        Sales = "sales",
    }
}

keyword_enum! {
    /// Who acted in a touchpoint: the lead, or the company (or someone else).
    ///
    /// Direction decides one thing in the engine: whether a touch is **new
    /// activity** that brings a recycled lead back (only inbound touches are).
    /// Built-in channels have a fixed direction (see [`Channel`]); a custom
    /// channel is outbound unless its pack declares it inbound in `[channels]`.
    ///
    /// ```
    /// use leadgate::{Channel, Direction};
    /// assert_eq!(Channel::PricingPage.direction(), Direction::Inbound);
    /// assert_eq!(Channel::EmailSent.direction(), Direction::Outbound);
    /// assert_eq!("inbound".parse::<Direction>()?, Direction::Inbound);
    /// assert_eq!(
    ///     "inbund".parse::<Direction>().unwrap_err().to_string(),
    ///     "unknown direction \"inbund\" (did you mean \"inbound\"?)"
    /// );
    /// # Ok::<(), leadgate::lead::ValueError>(())
    /// ```
    pub enum Direction as "direction" {
        /// The lead reached out: it visited, clicked, asked, replied, registered
        /// or came. A sign of the lead's own interest.
        Inbound = "inbound",
        /// The company reached the lead (an email sent, mail, a sales call, a
        /// proposal), someone else did (a referral), or it is a signal about the
        /// lead rather than interest from it (a bounce, an unsubscribe).
        Outbound = "outbound",
    }
}

macro_rules! channels {
    ($($(#[$doc:meta])* $variant:ident = $name:literal => $team:ident, $direction:ident,)*) => {
        /// The channel of a touchpoint.
        ///
        /// The built-in channels cover what CRMs and marketing-automation
        /// tools record; anything else is [`Channel::Custom`], written
        /// `"custom:<name>"` in JSON and scripts (for example
        /// `"custom:podcast"`). An unknown name without the `custom:` prefix
        /// is an error, so a typo such as `"webnar"` is caught instead of
        /// silently scoring nothing.
        ///
        /// | JSON name | default team | direction |
        /// |---|---|---|
        $(#[doc = concat!("| `", $name, "` | ", stringify!($team), " | ", stringify!($direction), " |")])*
        /// | `custom:<name>` | Marketing | Outbound, unless the pack declares it inbound |
        ///
        /// The direction ([`Direction`]) says who acted; only inbound touches
        /// are new activity for a recycled lead.
        ///
        /// ```
        /// use leadgate::Channel;
        ///
        /// assert_eq!("pricing_page".parse::<Channel>()?, Channel::PricingPage);
        /// assert_eq!("custom:podcast".parse::<Channel>()?, Channel::custom("podcast")?);
        /// let err = "webnar".parse::<Channel>().unwrap_err();
        /// assert_eq!(
        ///     err.to_string(),
        ///     "unknown channel \"webnar\" (did you mean \"webinar\"?); use a built-in channel or \"custom:<name>\""
        /// );
        /// # Ok::<(), leadgate::lead::ValueError>(())
        /// ```
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Channel {
            $($(#[$doc])* $variant,)*
            /// Any other channel, named by the host (`custom:<name>` in JSON);
            /// made by [`Channel::custom`] or by parsing, which check the name.
            Custom(CustomName),
        }

        impl Channel {
            /// Every built-in channel, in declaration order.
            ///
            /// ```
            /// use leadgate::Channel;
            /// assert_eq!(Channel::BUILT_IN.len(), 22);
            /// assert_eq!(Channel::BUILT_IN[0], Channel::AdClick);
            /// assert_eq!(Channel::BUILT_IN.last(), Some(&Channel::EmailBounce));
            /// ```
            pub const BUILT_IN: &'static [Channel] = &[$(Channel::$variant,)*];

            /// The name used in JSON and scripts (`custom:<name>` for custom channels).
            ///
            /// ```
            /// use leadgate::Channel;
            /// assert_eq!(Channel::EmailClick.name(), "email_click");
            /// assert_eq!(Channel::custom("podcast")?.name(), "custom:podcast");
            /// # Ok::<(), leadgate::lead::ValueError>(())
            /// ```
            pub fn name(&self) -> std::borrow::Cow<'static, str> {
                match self {
                    $(Channel::$variant => std::borrow::Cow::Borrowed($name),)*
                    Channel::Custom(name) => std::borrow::Cow::Owned(format!("custom:{name}")),
                }
            }

            /// The team that usually owns touchpoints on this channel; used when a
            /// touchpoint does not say.
            ///
            /// ```
            /// use leadgate::{Channel, Team};
            /// assert_eq!(Channel::Webinar.default_team(), Team::Marketing);
            /// assert_eq!(Channel::Call.default_team(), Team::Sales);
            /// ```
            pub fn default_team(&self) -> Team {
                match self {
                    $(Channel::$variant => Team::$team,)*
                    Channel::Custom(_) => Team::Marketing,
                }
            }

            /// Who acts on this channel. A custom channel is
            /// [`Direction::Outbound`] here; a pack may declare it inbound
            /// ([`Pack::direction`](crate::Pack::direction) tells).
            ///
            /// ```
            /// use leadgate::{Channel, Direction};
            /// assert_eq!(Channel::FormSubmit.direction(), Direction::Inbound);
            /// assert_eq!(Channel::DirectMail.direction(), Direction::Outbound);
            /// assert_eq!(Channel::custom("podcast")?.direction(), Direction::Outbound);
            /// # Ok::<(), leadgate::lead::ValueError>(())
            /// ```
            pub fn direction(&self) -> Direction {
                match self {
                    $(Channel::$variant => Direction::$direction,)*
                    Channel::Custom(_) => Direction::Outbound,
                }
            }

            /// Position of a built-in channel in [`Channel::BUILT_IN`]; `None` for custom ones.
            pub(crate) fn index(&self) -> Option<usize> {
                // Declaration order, without a search: this runs per touchpoint.
                enum Position { $($variant,)* }
                match self {
                    $(Channel::$variant => Some(Position::$variant as usize),)*
                    Channel::Custom(_) => None,
                }
            }

            fn built_in_names() -> impl Iterator<Item = &'static str> + Clone {
                [$($name,)*].into_iter()
            }

            fn parse_built_in(s: &str) -> Option<Channel> {
                match s {
                    $($name => Some(Channel::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

channels! {
    /// A click on a paid ad.
    AdClick = "ad_click" => Marketing, Inbound,
    /// A visit to the website.
    WebVisit = "web_visit" => Marketing, Inbound,
    /// A view of the pricing page (a strong buying signal).
    PricingPage = "pricing_page" => Marketing, Inbound,
    /// A whitepaper, e-book or case-study download.
    ContentDownload = "content_download" => Marketing, Inbound,
    /// A marketing email sent to the lead.
    EmailSent = "email_sent" => Marketing, Outbound,
    /// A marketing email opened.
    EmailOpen = "email_open" => Marketing, Inbound,
    /// A link clicked in a marketing email.
    EmailClick = "email_click" => Marketing, Inbound,
    /// A reply to an email.
    EmailReply = "email_reply" => Marketing, Inbound,
    /// A form submitted (contact, newsletter, gated content).
    FormSubmit = "form_submit" => Marketing, Inbound,
    /// A webinar registration or attendance.
    Webinar = "webinar" => Marketing, Inbound,
    /// A trade show, conference or meetup.
    Event = "event" => Marketing, Inbound,
    /// An interaction on social media.
    Social = "social" => Marketing, Inbound,
    /// Physical mail.
    DirectMail = "direct_mail" => Marketing, Outbound,
    /// A website chat conversation.
    Chat = "chat" => Marketing, Inbound,
    /// A demo requested by the lead.
    DemoRequest = "demo_request" => Marketing, Inbound,
    /// A free trial or freemium sign-up.
    FreeTrial = "free_trial" => Marketing, Inbound,
    /// A referral from a customer or partner.
    Referral = "referral" => Marketing, Outbound,
    /// A phone call with a sales rep.
    Call = "call" => Sales, Outbound,
    /// A meeting with a sales rep.
    Meeting = "meeting" => Sales, Inbound,
    /// A proposal or quote sent.
    Proposal = "proposal" => Sales, Outbound,
    /// The lead unsubscribed (a negative signal).
    Unsubscribe = "unsubscribe" => Marketing, Outbound,
    /// An email to the lead bounced (a negative signal).
    EmailBounce = "email_bounce" => Marketing, Outbound,
}

impl FromStr for Channel {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        if let Some(c) = Channel::parse_built_in(s) {
            return Ok(c);
        }
        match s.strip_prefix("custom:") {
            Some(name) => Channel::custom(name),
            None => Err(ValueError::unknown("channel", s, Channel::built_in_names())
                .with_hint("; use a built-in channel or \"custom:<name>\"")),
        }
    }
}

/// The name of a custom channel (`podcast` in `custom:podcast`): 1 to 64 of
/// `a-z`, `0-9`, `_` or `-`, checked when the channel is made.
///
/// ```
/// use leadgate::Channel;
/// let Channel::Custom(name) = Channel::custom("podcast")? else { unreachable!() };
/// assert_eq!(name.as_str(), "podcast");
/// # Ok::<(), leadgate::lead::ValueError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomName(Text);

impl CustomName {
    /// The name, without the `custom:` prefix.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CustomName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl Channel {
    /// The custom channel `name` (written `custom:<name>`): 1 to 64 of
    /// `a-z`, `0-9`, `_` or `-`.
    ///
    /// ```
    /// use leadgate::Channel;
    /// assert_eq!(Channel::custom("podcast")?.name(), "custom:podcast");
    /// assert!(Channel::custom("Pod Cast").is_err());
    /// # Ok::<(), leadgate::lead::ValueError>(())
    /// ```
    pub fn custom(name: &str) -> Result<Channel, ValueError> {
        let valid = !name.is_empty()
            && name.len() <= 64
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if valid {
            Ok(Channel::Custom(CustomName(name.into())))
        } else {
            Err(ValueError::invalid(
                "channel",
                format!("custom:{name}"),
                format!(
                    "invalid custom channel \"custom:{name}\": the name after \"custom:\" must be 1 to 64 of a-z, 0-9, _ or -"
                ),
            ))
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.name())
    }
}

impl Serialize for Channel {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

impl<'de> Deserialize<'de> for Channel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Channel;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a channel name")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Channel, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_str(Visitor)
    }
}

/// One contact between a lead and the company.
///
/// ```
/// use leadgate::{Channel, Team, Touchpoint};
///
/// let json = r#"{"at": "2026-11-20T10:00:00Z", "channel": "pricing_page",
///                "detail": {"page": "/pricing/enterprise"}}"#;
/// let tp: Touchpoint = serde_json::from_str(json)?;
/// assert_eq!(tp.channel, Channel::PricingPage);
/// assert_eq!(tp.team(), Team::Marketing); // from the channel, as none was given
/// assert_eq!(tp.detail["page"], "/pricing/enterprise");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Touchpoint {
    /// When it happened.
    #[serde(with = "crate::lead::time::rfc3339")]
    pub at: DateTime<Utc>,
    /// Where it happened.
    pub channel: Channel,
    /// The owning team, when the source system says; see [`Touchpoint::team`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<Team>,
    /// The campaign it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<Text>,
    /// Free detail: page, subject, duration, anything the source system records.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub detail: Map<String, Value>,
    /// Fields this library does not know, kept so that nothing is lost on a round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Touchpoint {
    /// A touchpoint on `channel` at `at`, with no team, campaign or detail.
    ///
    /// ```
    /// use leadgate::{Channel, Touchpoint};
    /// let at = "2026-11-20T10:00:00Z".parse()?;
    /// let tp = Touchpoint::new(at, Channel::Webinar).with_campaign("q4-launch");
    /// assert_eq!(tp.campaign.as_deref(), Some("q4-launch"));
    /// # Ok::<(), chrono::ParseError>(())
    /// ```
    pub fn new(at: DateTime<Utc>, channel: Channel) -> Self {
        Touchpoint { at, channel, team: None, campaign: None, detail: Map::new(), extra: Map::new() }
    }

    /// Sets the campaign.
    ///
    /// ```
    /// use leadgate::{Channel, Touchpoint};
    /// let tp = Touchpoint::new("2026-11-20T10:00:00Z".parse()?, Channel::EmailClick).with_campaign("q4-launch");
    /// assert_eq!(
    ///     serde_json::to_string(&tp)?,
    ///     r#"{"at":"2026-11-20T10:00:00Z","channel":"email_click","campaign":"q4-launch"}"#
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_campaign(mut self, campaign: impl Into<Text>) -> Self {
        self.campaign = Some(campaign.into());
        self
    }

    /// Sets the owning team.
    ///
    /// ```
    /// use leadgate::{Channel, Team, Touchpoint};
    /// let tp = Touchpoint::new("2026-11-20T10:00:00Z".parse()?, Channel::Event).with_team(Team::Sales);
    /// assert_eq!(tp.team(), Team::Sales);
    /// # Ok::<(), chrono::ParseError>(())
    /// ```
    pub fn with_team(mut self, team: Team) -> Self {
        self.team = Some(team);
        self
    }

    /// The owning team: the one recorded, or else the channel's default.
    ///
    /// ```
    /// use leadgate::{Channel, Team, Touchpoint};
    /// let call = Touchpoint::new("2026-11-20T10:00:00Z".parse()?, Channel::Call);
    /// assert_eq!(call.team(), Team::Sales); // the channel's default
    /// assert_eq!(call.with_team(Team::Marketing).team(), Team::Marketing);
    /// # Ok::<(), chrono::ParseError>(())
    /// ```
    pub fn team(&self) -> Team {
        self.team.unwrap_or_else(|| self.channel.default_team())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_channel_round_trips_by_name() {
        for c in Channel::BUILT_IN {
            assert_eq!(c.name().parse::<Channel>().unwrap(), *c);
            assert_eq!(c.index().map(|i| &Channel::BUILT_IN[i]), Some(c));
        }
    }

    #[test]
    fn custom_channel_names_are_checked() {
        assert!("custom:".parse::<Channel>().is_err());
        assert!("custom:Pod Cast".parse::<Channel>().is_err());
        assert_eq!(Channel::custom("x").unwrap().index(), None);
    }

    #[test]
    fn unknown_fields_are_kept() {
        let json = r#"{"at":"2026-01-01T00:00:00Z","channel":"call","crm_id":42}"#;
        let tp: Touchpoint = serde_json::from_str(json).unwrap();
        assert_eq!(tp.extra["crm_id"], 42);
        assert_eq!(tp.team(), Team::Sales);
        let back = serde_json::to_value(&tp).unwrap();
        assert_eq!(back, serde_json::from_str::<Value>(json).unwrap());
    }
}
