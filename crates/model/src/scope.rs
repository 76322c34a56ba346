//! The closed vocabularies of a grant's scope: sales channels and product
//! categories.
//!
//! A free-form label would let an exclusive grant for `retail`/`footwear`
//! be sidestepped by a second grant for `retail-stores`/`foot-wear`: the
//! two mean the same and compare unequal. So both lists are closed: an
//! unknown label is refused ([`crate::RuleError::UnknownLabel`], naming the
//! field and the allowed values), and overlap follows the vocabulary.
//!
//! **Categories** are the 21 top levels of Google's product taxonomy
//! (<https://www.google.com/basepages/producttype/taxonomy.en-US.txt>, the
//! `google_product_category` of Merchant Center), with the second level of
//! `Apparel & Accessories` (and `Jewelry > Watches`) where Provenant's
//! designs are made. A category covers itself and its descendants: a grant
//! for `apparel` covers a usage under `footwear`, and an exclusive grant
//! for `apparel` overlaps any grant for `footwear`. A grant for `footwear`
//! does not cover `apparel`.
//!
//! **Channels** are a flat list of disjoint routes to a buyer. There is no
//! single standard list; Google Merchant Center's `channel` (`online`,
//! `local`) is the split underneath, refined into the routes licensing
//! contracts name. "Direct-to-consumer" is not a channel here: it is
//! `online` plus `retail` run by the licensee, and would overlap both.
//!
//! | channel | means |
//! |---|---|
//! | `retail` | physical shops selling to consumers (Merchant Center `local`) |
//! | `online` | the licensee's own web shop or app (Merchant Center `online`) |
//! | `marketplace` | third-party online marketplaces (Amazon, Zalando, Etsy...) |
//! | `wholesale` | sales to businesses that resell |
//! | `events` | pop-up stores, fairs, concerts and other temporary sales |
//!
//! `docs/VOCABULARY.md` lists both for users, with the choice made for logs
//! written before the lists. Only labels are compared and stored, so the wire form is the label text,
//! unchanged from earlier versions for the labels kept.

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

use crate::ids::serde_via_str;
use crate::{Kind, RuleError};

/// One term of a vocabulary: its label, its parent (an index in the same
/// table) and what it stands for.
struct Term {
    label: &'static str,
    parent: Option<u8>,
    means: &'static str,
}

const fn top(label: &'static str, means: &'static str) -> Term {
    Term {
        label,
        parent: None,
        means,
    }
}

const fn under(parent: u8, label: &'static str, means: &'static str) -> Term {
    Term {
        label,
        parent: Some(parent),
        means,
    }
}

/// Index of `apparel` in [`CATEGORIES`].
const APPAREL: u8 = 1;
/// Index of `jewelry` in [`CATEGORIES`].
const JEWELRY: u8 = 26;

/// The product categories: Google product taxonomy paths.
const CATEGORIES: &[Term] = &[
    top("animals", "Animals & Pet Supplies"),
    top("apparel", "Apparel & Accessories"),
    top("arts-entertainment", "Arts & Entertainment"),
    top("baby-toddler", "Baby & Toddler"),
    top("business-industrial", "Business & Industrial"),
    top("cameras-optics", "Cameras & Optics"),
    top("electronics", "Electronics"),
    top("food-beverages", "Food, Beverages & Tobacco"),
    top("furniture", "Furniture"),
    top("hardware", "Hardware"),
    top("health-beauty", "Health & Beauty"),
    top("home-garden", "Home & Garden"),
    top("bags", "Luggage & Bags"),
    top("mature", "Mature"),
    top("media", "Media"),
    top("office-supplies", "Office Supplies"),
    top("religious-ceremonial", "Religious & Ceremonial"),
    top("software", "Software"),
    top("sporting-goods", "Sporting Goods"),
    top("toys-games", "Toys & Games"),
    top("vehicles-parts", "Vehicles & Parts"),
    under(APPAREL, "clothing", "Apparel & Accessories > Clothing"),
    under(
        APPAREL,
        "accessories",
        "Apparel & Accessories > Clothing Accessories",
    ),
    under(
        APPAREL,
        "costumes",
        "Apparel & Accessories > Costumes & Accessories",
    ),
    under(
        APPAREL,
        "handbag-accessories",
        "Apparel & Accessories > Handbag & Wallet Accessories",
    ),
    under(
        APPAREL,
        "handbags",
        "Apparel & Accessories > Handbags, Wallets & Cases",
    ),
    under(APPAREL, "jewelry", "Apparel & Accessories > Jewelry"),
    under(
        APPAREL,
        "shoe-accessories",
        "Apparel & Accessories > Shoe Accessories",
    ),
    under(APPAREL, "footwear", "Apparel & Accessories > Shoes"),
    under(
        JEWELRY,
        "watches",
        "Apparel & Accessories > Jewelry > Watches",
    ),
];

/// The sales channels.
const CHANNELS: &[Term] = &[
    top("retail", "physical shops selling to consumers"),
    top("online", "the licensee's own web shop or app"),
    top("marketplace", "third-party online marketplaces"),
    top("wholesale", "sales to businesses that resell"),
    top("events", "pop-up stores, fairs and other temporary sales"),
];

fn find(table: &[Term], text: &str) -> Option<u8> {
    table
        .iter()
        .position(|t| t.label == text)
        .and_then(|i| u8::try_from(i).ok())
}

fn allowed(table: &[Term]) -> String {
    table.iter().map(|t| t.label).collect::<Vec<_>>().join(", ")
}

fn unknown(vocabulary: &'static str, field: &str, value: &str, table: &[Term]) -> RuleError {
    RuleError::UnknownLabel {
        field: field.to_owned(),
        vocabulary,
        value: value.chars().take(64).collect(),
        allowed: allowed(table),
    }
}

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident, $table:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(u8);

        impl $name {
            /// The label, its wire form.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                self.term().label
            }

            /// What the label stands for.
            #[must_use]
            pub fn means(self) -> &'static str {
                self.term().means
            }

            /// Every value, in the vocabulary's order.
            pub fn all() -> impl Iterator<Item = $name> {
                (0..$table.len()).filter_map(|i| u8::try_from(i).ok()).map($name)
            }

            fn term(self) -> &'static Term {
                &$table[usize::from(self.0)]
            }

            /// Parses `text`, naming `field` when it is not in the
            /// vocabulary.
            ///
            /// # Errors
            /// [`RuleError::UnknownLabel`] with the allowed values.
            pub fn parse_at(text: &str, field: &str) -> Result<Self, RuleError> {
                find($table, text)
                    .map($name)
                    .ok_or_else(|| unknown($field, field, text, $table))
            }
        }

        impl FromStr for $name {
            type Err = RuleError;
            fn from_str(text: &str) -> Result<Self, RuleError> {
                Self::parse_at(text, $field)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.as_str())
            }
        }

        serde_via_str!($name);
    };
}

vocabulary!(
    /// A sales channel (`retail`, `online`, ...): see the module's table.
    Channel,
    CHANNELS,
    "channel"
);

vocabulary!(
    /// A product category (`apparel`, `footwear`, ...): a Google product
    /// taxonomy path, see the module docs.
    Category,
    CATEGORIES,
    "category"
);

impl Category {
    /// The parent category; `None` for a top level.
    #[must_use]
    pub fn parent(self) -> Option<Category> {
        self.term().parent.map(Category)
    }

    /// Whether `self` is `other` or one of its ancestors: a grant for
    /// `self` covers products of category `other`.
    #[must_use]
    pub fn covers(self, other: Category) -> bool {
        let mut at = Some(other);
        // The hierarchy is at most as deep as the table is long.
        for _ in 0..=CATEGORIES.len() {
            match at {
                Some(c) if c == self => return true,
                Some(c) => at = c.parent(),
                None => return false,
            }
        }
        false
    }

    /// Whether some product falls under both categories: one covers the
    /// other.
    #[must_use]
    pub fn meets(self, other: Category) -> bool {
        self.covers(other) || other.covers(self)
    }
}

/// Refuses unknown channels and categories in a payload of `kind` before
/// it is parsed, naming the JSON path (`terms.categories[1]`, `channel`) and
/// the allowed values. Values of the wrong JSON type are left to the parser.
///
/// # Errors
/// [`RuleError::UnknownLabel`].
pub(crate) fn check_payload(kind: Kind, payload: &Value) -> Result<(), RuleError> {
    match kind {
        Kind::LicenseGrant => {
            let terms = &payload["terms"];
            check_list(&terms["channels"], "terms.channels", |t, f| {
                Channel::parse_at(t, f).map(drop)
            })?;
            check_list(&terms["categories"], "terms.categories", |t, f| {
                Category::parse_at(t, f).map(drop)
            })
        }
        Kind::UsageRecord => check_use(payload),
        _ => Ok(()),
    }
}

/// Refuses an unknown `channel` or `category` member of `value` (a usage
/// record's payload, a license query), naming it.
///
/// # Errors
/// [`RuleError::UnknownLabel`].
pub(crate) fn check_use(value: &Value) -> Result<(), RuleError> {
    if let Some(text) = value["channel"].as_str() {
        Channel::parse_at(text, "channel")?;
    }
    if let Some(text) = value["category"].as_str() {
        Category::parse_at(text, "category")?;
    }
    Ok(())
}

fn check_list(
    list: &Value,
    field: &str,
    parse: fn(&str, &str) -> Result<(), RuleError>,
) -> Result<(), RuleError> {
    for (i, item) in list.as_array().into_iter().flatten().enumerate() {
        if let Some(text) = item.as_str() {
            parse(text, &format!("{field}[{i}]"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn cat(text: &str) -> Category {
        text.parse().unwrap()
    }

    #[test]
    fn the_tables_are_consistent() {
        assert_eq!(CATEGORIES[usize::from(APPAREL)].label, "apparel");
        assert_eq!(CATEGORIES[usize::from(JEWELRY)].label, "jewelry");
        for (i, t) in CATEGORIES.iter().enumerate() {
            assert_eq!(
                find(CATEGORIES, t.label),
                u8::try_from(i).ok(),
                "{}",
                t.label
            );
            // A child's path extends its parent's.
            if let Some(p) = t.parent {
                let parent = &CATEGORIES[usize::from(p)];
                assert!(t.means.starts_with(parent.means), "{}", t.label);
                assert!(usize::from(p) < i, "{}: parents come first", t.label);
            }
            assert!(t.label.parse::<crate::Label>().is_ok(), "{}", t.label);
        }
        for (i, t) in CHANNELS.iter().enumerate() {
            assert_eq!(find(CHANNELS, t.label), u8::try_from(i).ok(), "{}", t.label);
        }
        assert_eq!(Category::all().filter(|c| c.parent().is_none()).count(), 21);
    }

    #[test]
    fn unknown_labels_name_the_field_and_the_allowed_values() {
        for (text, field) in [("foot-wear", "category"), ("Footwear", "category")] {
            let err = text.parse::<Category>().unwrap_err();
            let RuleError::UnknownLabel {
                field: f, allowed, ..
            } = &err
            else {
                panic!("{err:?}")
            };
            assert_eq!(f, field);
            assert!(allowed.contains("footwear") && allowed.contains("apparel"));
        }
        let err = "retail-stores".parse::<Channel>().unwrap_err();
        assert!(
            err.to_string()
                .contains("retail, online, marketplace, wholesale, events"),
            "{err}"
        );
        assert!("retail".parse::<Channel>().is_ok());
    }

    #[test]
    fn a_category_covers_its_descendants_only() {
        assert!(cat("apparel").covers(cat("footwear")));
        assert!(cat("apparel").covers(cat("watches")));
        assert!(cat("jewelry").covers(cat("watches")));
        assert!(cat("footwear").covers(cat("footwear")));
        assert!(!cat("footwear").covers(cat("apparel")));
        assert!(!cat("footwear").covers(cat("accessories")));
        assert!(!cat("bags").covers(cat("handbags")));
        assert!(cat("footwear").meets(cat("apparel")));
        assert!(!cat("footwear").meets(cat("jewelry")));
    }

    #[test]
    fn payload_labels_are_checked_with_their_path() {
        let grant =
            json!({"terms": {"channels": ["retail"], "categories": ["footwear", "foot-wear"]}});
        let err = check_payload(Kind::LicenseGrant, &grant).unwrap_err();
        assert_eq!(err.field(), Some("terms.categories[1]"));
        let usage = json!({"channel": "retail-stores", "category": "footwear"});
        let err = check_payload(Kind::UsageRecord, &usage).unwrap_err();
        assert_eq!(err.field(), Some("channel"));
        let fine = json!({"channel": "retail", "category": "footwear"});
        assert!(check_payload(Kind::UsageRecord, &fine).is_ok());
        // Wrong types are the parser's to refuse.
        assert!(check_payload(Kind::UsageRecord, &json!({"channel": 5})).is_ok());
    }
}
