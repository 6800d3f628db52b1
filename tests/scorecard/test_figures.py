"""The one rule for the number a figure stands for (`figures.comparable`), used
by the engine, the return's lines, the entry checks and the importer."""

from decimal import Decimal as D

from scorecard.figures import Figure, comparable, entry_fields
from scorecard.models import Measure

RATIO = Measure(entry=Measure.Entry.RATIO, unit=Measure.Unit.PERCENT)
COUNT = Measure(entry=Measure.Entry.COUNT, unit=Measure.Unit.COUNT)
RATE = Measure(entry=Measure.Entry.COUNT, unit=Measure.Unit.RATE_10K)
VALUE = Measure(entry=Measure.Entry.VALUE, unit=Measure.Unit.DAYS)


def test_a_ratio_is_the_percentage_of_its_parts_or_the_value_imported_without_them():
    assert comparable(RATIO, Figure(D(3), D(4), D(99))) == D(75)
    assert comparable(RATIO, Figure(D(3), D(0))) is None
    assert comparable(RATIO, Figure(value=D("62.5"))) == D("62.5")


def test_a_count_is_itself_or_the_value_imported_without_it():
    assert comparable(COUNT, Figure(D(7), value=D(99))) == D(7)
    assert comparable(COUNT, Figure(value=D(12))) == D(12)


def test_a_count_per_10000_is_the_rate_but_as_entered_the_count_and_never_a_rate():
    assert comparable(RATE, Figure(D(50)), population=100_000) == D(5)
    assert comparable(RATE, Figure(D(50))) is None  # no population: no rate
    assert comparable(RATE, Figure(value=D("4.2"))) == D("4.2")  # a rate from history
    assert comparable(RATE, Figure(D(50)), population=100_000, as_entered=True) == D(50)
    assert comparable(RATE, Figure(value=D("4.2")), as_entered=True) is None


def test_a_value_is_the_value_and_not_applicable_or_nothing_is_no_figure():
    assert comparable(VALUE, Figure(D(1), D(2), D("3.5"))) == D("3.5")
    assert comparable(RATIO, Figure(D(3), D(4), not_applicable=True)) is None
    assert comparable(RATIO, None) is None


def test_each_entry_kind_types_its_own_fields():
    assert entry_fields(Measure.Entry.RATIO) == ["numerator", "denominator"]
    assert entry_fields(Measure.Entry.COUNT) == ["numerator"]
    assert entry_fields(Measure.Entry.VALUE) == ["value"]
