//! Marks: what the footer counts as marks and rows change.

use super::*;

#[test]
fn the_footer_counts_the_marks_the_list_shows_as_marks_and_rows_change() {
    let mut app = loaded(false);
    while selected_id(&app).as_deref() != Some("k1") {
        press(&mut app, KeyCode::Down);
    }
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('a'));
    assert_eq!((app.writes.marks.len(), app.marks_shown()), (3, 3));
    // A filter that shows one of them.
    press(&mut app, KeyCode::Char('/'));
    for c in "etl".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert_eq!(row_ids(&app).len(), 1);
    assert_eq!(app.marks_shown(), 1);
    // Unmarking the one shown, then clearing the filter.
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char(' '));
    assert_eq!((app.writes.marks.len(), app.marks_shown()), (2, 0));
    press(&mut app, KeyCode::Char('/'));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.marks_shown(), 2);
    // Another key's list shows none of them.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.marks_shown(), 0);
}
