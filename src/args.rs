//! Argument values several commands share, as clap value enums mapped to
//! the model's types.

use clap::ValueEnum;
use provenant_model::{Action, RoyaltyPolicy};

/// How royalties flow up the derivative graph.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PolicyArg {
    /// Liquid Absolute Percentage: every ancestor takes its share directly.
    #[value(name = "LAP")]
    Lap,
    /// Liquid Relative Percentage: percentages multiply along each path.
    #[value(name = "LRP")]
    Lrp,
}

impl From<PolicyArg> for RoyaltyPolicy {
    fn from(arg: PolicyArg) -> RoyaltyPolicy {
        match arg {
            PolicyArg::Lap => RoyaltyPolicy::Lap,
            PolicyArg::Lrp => RoyaltyPolicy::Lrp,
        }
    }
}

/// What a licensee wants to do with a design.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ActionArg {
    /// Make and sell.
    Commercial,
    /// Use without selling.
    NonCommercial,
    /// Make a derivative design.
    Derivative,
    /// Train an AI model on the design.
    AiTraining,
}

impl From<ActionArg> for Action {
    fn from(arg: ActionArg) -> Action {
        match arg {
            ActionArg::Commercial => Action::Commercial,
            ActionArg::NonCommercial => Action::NonCommercial,
            ActionArg::Derivative => Action::Derivative,
            ActionArg::AiTraining => Action::AiTraining,
        }
    }
}
