//! Sorting: cycling columns and reversing, keeping the selection.

use super::*;

#[test]
fn sort_cycles_columns_and_reverses_keeping_the_selection() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(selected_id(&app).as_deref(), Some("k1"));
    press(&mut app, KeyCode::Char('s')); // key id
    assert_eq!(list(&app).sort_column, 1);
    assert_eq!(row_ids(&app), ["k1", "k2", "k3"]);
    assert_eq!(
        selected_id(&app).as_deref(),
        Some("k1"),
        "the same key stays selected"
    );
    press(&mut app, KeyCode::Char('S'));
    assert_eq!(row_ids(&app), ["k3", "k2", "k1"]);
    // Grants column: numeric, not text ("10" after "9").
    for _ in 0..4 {
        press(&mut app, KeyCode::Char('s'));
    }
    assert_eq!(list(&app).sort_column, 5);
    assert!(!list(&app).sort_reverse, "a new column starts ascending");
    assert_eq!(row_ids(&app), ["k3", "k2", "k1"]);
    // The findings count sorts as a number too; then cycling wraps around.
    for _ in 0..3 {
        press(&mut app, KeyCode::Char('s'));
    }
    assert_eq!(list(&app).sort_column, 8);
    for _ in 0..1 {
        press(&mut app, KeyCode::Char('s'));
    }
    assert_eq!(list(&app).sort_column, 0);
}
