//! The keymap: one table that drives key handling, the footer hints and the help overlay.

use super::Intent;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every view.
    Everywhere,
    /// Any list.
    Lists,
    /// Lists of grants and the grant detail.
    Grants,
    /// Lists of grants only.
    GrantLists,
}

/// What the current view is, for choosing bindings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// The keys or principals list.
    OtherList,
    /// A list of grants.
    GrantList,
    /// The detail of one grant.
    Detail,
}

impl Scope {
    fn applies(self, context: Context) -> bool {
        match self {
            Self::Everywhere => true,
            Self::Lists => context != Context::Detail,
            Self::Grants => context != Context::OtherList,
            Self::GrantLists => context == Context::GrantList,
        }
    }
}

/// A key and its modifiers (shift is ignored for characters: `G` is `G`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Combo {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn key(code: KeyCode) -> Combo {
    Combo { code, ctrl: false }
}

const fn ch(c: char) -> Combo {
    key(KeyCode::Char(c))
}

const fn ctrl(c: char) -> Combo {
    Combo {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

/// One line of the keymap.
#[derive(Debug)]
pub struct Binding {
    pub keys: &'static [Combo],
    pub action: Intent,
    pub scope: Scope,
    /// The row in the help overlay: keys as written, and what they do.
    pub help: Option<(&'static str, &'static str)>,
    /// The hint in the footer: keys, a word or two, and a priority (narrow footers drop the
    /// lowest first).
    pub footer: Option<(&'static str, &'static str, u8)>,
}

/// Every binding of the normal mode (dialogs and input lines handle their own keys).
pub static BINDINGS: &[Binding] = &[
    Binding {
        keys: &[ch('j'), key(KeyCode::Down)],
        action: Intent::MoveDown,
        scope: Scope::Everywhere,
        help: Some(("j/k ↓/↑", "move down / up")),
        footer: Some(("j/k", "move", 1)),
    },
    Binding {
        keys: &[ch('k'), key(KeyCode::Up)],
        action: Intent::MoveUp,
        scope: Scope::Everywhere,
        help: None,
        footer: None,
    },
    Binding {
        keys: &[key(KeyCode::PageDown), ctrl('d')],
        action: Intent::PageDown,
        scope: Scope::Everywhere,
        help: Some(("PgDn/PgUp", "move a page down / up")),
        footer: None,
    },
    Binding {
        keys: &[key(KeyCode::PageUp), ctrl('u')],
        action: Intent::PageUp,
        scope: Scope::Everywhere,
        help: None,
        footer: None,
    },
    Binding {
        keys: &[ch('g'), key(KeyCode::Home)],
        action: Intent::Top,
        scope: Scope::Everywhere,
        help: Some(("g/G", "first / last row")),
        footer: None,
    },
    Binding {
        keys: &[ch('G'), key(KeyCode::End)],
        action: Intent::Bottom,
        scope: Scope::Everywhere,
        help: None,
        footer: None,
    },
    Binding {
        keys: &[key(KeyCode::Enter), ch('l'), key(KeyCode::Right)],
        action: Intent::Open,
        scope: Scope::Lists,
        help: Some((
            "Enter/l",
            "open: key → its grants, principal → the grants it may retire, grant → its detail",
        )),
        footer: Some(("⏎", "open", 4)),
    },
    Binding {
        keys: &[key(KeyCode::Esc), ch('h'), key(KeyCode::Left)],
        action: Intent::Back,
        scope: Scope::Everywhere,
        help: Some(("Esc/h", "back (first clears an active filter)")),
        footer: Some(("esc", "back", 2)),
    },
    Binding {
        keys: &[key(KeyCode::Tab), key(KeyCode::BackTab)],
        action: Intent::SwitchTab,
        scope: Scope::Everywhere,
        help: Some(("Tab", "switch between keys and retirable grants")),
        footer: Some(("tab", "retirable", 3)),
    },
    Binding {
        keys: &[ch('/')],
        action: Intent::StartFilter,
        scope: Scope::Lists,
        help: Some(("/", "filter the list (every column, any case)")),
        footer: Some(("/", "filter", 5)),
    },
    Binding {
        keys: &[ch('s')],
        action: Intent::CycleSort,
        scope: Scope::Lists,
        help: Some(("s/S", "next sort column / reverse the order")),
        footer: Some(("s", "sort", 3)),
    },
    Binding {
        keys: &[ch('S')],
        action: Intent::ReverseSort,
        scope: Scope::Lists,
        help: None,
        footer: None,
    },
    Binding {
        keys: &[ch('f')],
        action: Intent::CycleFinding,
        scope: Scope::GrantLists,
        help: Some((
            "f",
            "only grants with the next finding: old, duplicate, orphan, … (then all)",
        )),
        footer: Some(("f", "finding", 6)),
    },
    Binding {
        keys: &[ch(' ')],
        action: Intent::ToggleMark,
        scope: Scope::GrantLists,
        help: Some((
            "Space",
            "mark or unmark the grant (marks survive filter, sort and reload)",
        )),
        footer: Some(("␣", "mark", 5)),
    },
    Binding {
        keys: &[ch('a')],
        action: Intent::MarkAllShown,
        scope: Scope::GrantLists,
        help: Some(("a / A", "mark every grant shown / clear every mark")),
        footer: None,
    },
    Binding {
        keys: &[ch('A')],
        action: Intent::ClearMarks,
        scope: Scope::Everywhere,
        help: None,
        footer: None,
    },
    Binding {
        keys: &[ch('x')],
        action: Intent::Retire,
        scope: Scope::Grants,
        help: Some((
            "x",
            "retire the marked grants, or the one under the cursor (asks first)",
        )),
        footer: Some(("x", "retire", 8)),
    },
    Binding {
        keys: &[ch('X')],
        action: Intent::Revoke,
        scope: Scope::Grants,
        help: Some((
            "X",
            "revoke the marked grants, or the one under the cursor (asks first)",
        )),
        footer: Some(("X", "revoke", 8)),
    },
    Binding {
        keys: &[ch('H')],
        action: Intent::ShowHistory,
        scope: Scope::Everywhere,
        help: Some((
            "H",
            "this session's deletions; r restores one (CreateGrant)",
        )),
        footer: None,
    },
    Binding {
        keys: &[ch('y')],
        action: Intent::CopySelected,
        scope: Scope::Everywhere,
        help: Some((
            "y",
            "copy the grant id, key ARN or principal under the cursor (OSC 52)",
        )),
        footer: None,
    },
    Binding {
        keys: &[ch('P')],
        action: Intent::PickProfile,
        scope: Scope::Everywhere,
        help: Some((
            "P / R",
            "switch profile (account) / region: pick from a list, type to narrow it",
        )),
        footer: Some(("P/R", "account", 2)),
    },
    Binding {
        keys: &[ch('R')],
        action: Intent::PickRegion,
        scope: Scope::Everywhere,
        help: None,
        footer: None,
    },
    Binding {
        keys: &[ch(':')],
        action: Intent::StartCommand,
        scope: Scope::Everywhere,
        help: Some((
            ":",
            "commands (Tab completes): profile, region, retirable, export, retire-token, dry-run",
        )),
        footer: None,
    },
    Binding {
        keys: &[ctrl('r')],
        action: Intent::Reload,
        scope: Scope::Everywhere,
        help: Some(("ctrl-r", "reload the current view")),
        footer: None,
    },
    Binding {
        keys: &[ch('?')],
        action: Intent::ToggleHelp,
        scope: Scope::Everywhere,
        help: Some(("?", "this help")),
        footer: Some(("?", "help", 9)),
    },
    Binding {
        keys: &[ch('q'), ctrl('c')],
        action: Intent::Quit,
        scope: Scope::Everywhere,
        help: Some(("q", "quit (asks first while a write is in flight)")),
        footer: Some(("q", "quit", 9)),
    },
];

/// The intent a key stands for in `context`, if any.
pub fn action_for(event: &KeyEvent, context: Context) -> Option<Intent> {
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    BINDINGS
        .iter()
        .filter(|b| b.scope.applies(context))
        .find(|b| {
            b.keys
                .iter()
                .any(|combo| combo.code == event.code && combo.ctrl == ctrl)
        })
        .map(|b| b.action.clone())
}

/// The footer hints that apply in `context`, in keymap order; retire and revoke only when
/// `writes` are possible, the profile and region pickers only when there is somewhere to
/// `switch` to.
pub fn footer_hints(
    context: Context,
    writes: bool,
    switch: bool,
) -> impl Iterator<Item = (&'static str, &'static str, u8)> {
    BINDINGS
        .iter()
        .filter(move |b| b.scope.applies(context))
        .filter(move |b| writes || !matches!(b.action, Intent::Retire | Intent::Revoke))
        .filter(move |b| switch || !matches!(b.action, Intent::PickProfile))
        .filter_map(|b| b.footer)
}

/// Every row of the help overlay.
pub fn help_rows() -> impl Iterator<Item = (&'static str, &'static str)> {
    BINDINGS.iter().filter_map(|b| b.help)
}
