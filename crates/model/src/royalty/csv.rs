//! Sales lines as CSV, the form royalty statements arrive in from
//! spreadsheets: the header `design,amount_minor,currency`, then one row per
//! sale. Parsed strictly, so a typo is an error naming its line rather than
//! a payout computed from the wrong numbers.

use thiserror::Error;

use super::SaleLine;
use crate::values::Money;

/// The header every CSV statement starts with.
pub const CSV_HEADER: &str = "design,amount_minor,currency";

/// The most sales lines in one statement.
pub const MAX_SALES_LINES: usize = 10_000;

/// Why a CSV statement was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CsvError {
    /// A line that is not what it must be; `line` counts from 1.
    #[error("line {line}: {what}")]
    Line {
        /// The line, from 1.
        line: usize,
        /// What is wrong with it.
        what: &'static str,
    },
    /// More than [`MAX_SALES_LINES`] rows.
    #[error("at most {MAX_SALES_LINES} sales lines")]
    TooManyLines,
}

/// Parses CSV sales lines: the header, then `design,amount_minor,currency`
/// rows; blank lines and a final newline are allowed, nothing else. Fields
/// may have spaces around them.
///
/// # Errors
/// [`CsvError::Line`] for the first line that is wrong,
/// [`CsvError::TooManyLines`] beyond [`MAX_SALES_LINES`] rows.
pub fn parse_sales_csv(text: &str) -> Result<Vec<SaleLine>, CsvError> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    match lines.next() {
        Some((_, h)) if h.trim() == CSV_HEADER => {}
        _ => {
            return Err(CsvError::Line {
                line: 1,
                what: "the first line must be `design,amount_minor,currency`",
            });
        }
    }
    let mut sales = Vec::new();
    for (n, line) in lines {
        let at = |what| CsvError::Line { line: n + 1, what };
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let [design, amount, currency] = fields[..] else {
            return Err(at("a row has three fields: design,amount_minor,currency"));
        };
        let design = design.parse().map_err(|_| at("not a design id"))?;
        let amount_minor = amount
            .parse()
            .map_err(|_| at("amount_minor is a non-negative integer in minor units"))?;
        let currency = currency
            .parse()
            .map_err(|_| at("currency is an ISO 4217 code such as EUR"))?;
        if sales.len() == MAX_SALES_LINES {
            return Err(CsvError::TooManyLines);
        }
        sales.push(SaleLine {
            design,
            amount: Money {
                amount_minor,
                currency,
            },
        });
    }
    Ok(sales)
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262";

    #[test]
    fn csv_parses_strictly() {
        let ok = format!("{CSV_HEADER}\n{D},1000,EUR\n\n{D}, 5 ,USD\n");
        let sales = parse_sales_csv(&ok).unwrap();
        assert_eq!(sales.len(), 2);
        assert_eq!(sales[1].amount.amount_minor, 5);
        for (bad, line) in [
            (format!("{D},1000,EUR\n"), 1),
            (format!("{CSV_HEADER}\n{D},1000\n"), 2),
            (format!("{CSV_HEADER}\n{D},-1,EUR\n"), 2),
            (format!("{CSV_HEADER}\n\n{D},1.5,EUR\n"), 3),
            (format!("{CSV_HEADER}\n{D},1,eur\n"), 2),
            (format!("{CSV_HEADER}\nnot-a-design,1,EUR\n"), 2),
            (format!("{CSV_HEADER}\n{D},1,EUR,extra\n"), 2),
        ] {
            assert!(
                matches!(parse_sales_csv(&bad), Err(CsvError::Line { line: l, .. }) if l == line),
                "{bad}"
            );
        }
    }

    #[test]
    fn at_most_max_lines() {
        let row = format!("{D},1,EUR\n");
        let full = format!("{CSV_HEADER}\n{}", row.repeat(MAX_SALES_LINES));
        assert_eq!(parse_sales_csv(&full).unwrap().len(), MAX_SALES_LINES);
        let over = format!("{full}{row}");
        assert_eq!(parse_sales_csv(&over), Err(CsvError::TooManyLines));
    }
}
