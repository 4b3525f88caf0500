"""The errors: one family under RepateventsError, each also the builtin callers already catch,
and messages that name the field, the value and the rule."""

from __future__ import annotations

import pytest

from repatevents import errors
from repatevents.errors import (
    FieldProblem,
    RepateventsError,
    UnknownCountryError,
    ValidationError,
)

# The tree the module's docstring draws: each error, its parent, and the builtins it also is.
TREE: list[tuple[type[Exception], type[Exception], tuple[type[Exception], ...]]] = [
    (errors.ValidationError, RepateventsError, (ValueError,)),
    (errors.UnknownCountryError, errors.ValidationError, (LookupError,)),
    (errors.UnknownPlaceError, errors.ValidationError, (LookupError,)),
    (errors.StoreError, RepateventsError, ()),
    (errors.ConcurrencyError, errors.StoreError, ()),
    (errors.DuplicateEventError, errors.StoreError, (ValueError,)),
    (errors.IntegrityError, errors.StoreError, ()),
    (errors.LostRecordsError, errors.IntegrityError, ()),
    (errors.CheckpointMismatchError, errors.StoreError, ()),
    (errors.HeadNotFoundError, errors.StoreError, ()),
    (errors.CorruptLogError, errors.StoreError, ()),
    (errors.PluginError, RepateventsError, ()),
    (errors.UnknownExporterError, errors.PluginError, (LookupError,)),
    (errors.AmbiguousExporterError, errors.UnknownExporterError, ()),
    (errors.ExportError, RepateventsError, ()),
]


@pytest.mark.parametrize(("error", "parent", "builtins"), TREE)
def test_each_error_sits_where_the_documented_tree_puts_it(
    error: type[Exception], parent: type[Exception], builtins: tuple[type[Exception], ...]
) -> None:
    """``except RepateventsError`` catches all, ``except ValueError`` the value errors."""
    assert parent in error.__mro__[1:]
    assert all(issubclass(error, b) for b in builtins)


def test_every_error_of_the_module_is_in_the_tree() -> None:
    """A new error class gets a place in the documented tree (and in TREE above)."""
    classes = {
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, RepateventsError)
    }
    assert classes - {RepateventsError} == {error for error, _, _ in TREE}


def test_a_validation_error_names_field_value_rule_and_line() -> None:
    """One problem is one line; several are counted and listed; attributes carry the first."""
    one = ValidationError(FieldProblem("people.women", -3, "a count of 0 or more", line=7))
    assert "line 7: people.women: -3 is invalid: a count of 0 or more" == str(one)
    assert ("people.women", -3, "a count of 0 or more", 7) == (
        one.field,
        one.value,
        one.rule,
        one.line,
    )
    two = ValidationError([FieldProblem("date", "soon", "a date"), FieldProblem("", None, "empty")])
    assert str(two).splitlines() == [
        "2 problems:",
        "  date: 'soon' is invalid: a date",
        "  the record is invalid: empty",
    ]
    with pytest.raises(TypeError):
        ValidationError([])


def test_a_long_or_control_character_value_is_shown_escaped_and_cut() -> None:
    """A whole line read into one cell is cut to a readable length; a line break is escaped."""
    message = str(FieldProblem("notes", "x" * 500 + "\n", "short text"))
    assert "\n" not in message
    # The count is of what is shown: the repr, with its quotes and the escaped line break.
    assert "(504 characters)" in message
    assert len(message) < 200


def test_located_copies_prefix_the_field_and_set_the_line() -> None:
    """An import locates an event's problem at its line, under the field it came from."""
    located = UnknownCountryError("Atlantis", ["Atlanta"]).at_line(4, "replacement")
    assert (4, "replacement.country", "Atlantis") == (located.line, located.field, located.value)
    assert "did you mean 'Atlanta'?" in located.rule
