"""How figures are written for people: the measure's decimal places and unit."""

from decimal import Decimal

from django.utils.html import format_html, format_html_join

from . import aggregation, disclosure, figures, periods, rag, spc, trajectory

SUFFIX = {"percent": "%", "days": " days", "fte": " FTE"}
RATING_WORDS = {rag.GREEN: "Green", rag.AMBER: "Amber", rag.RED: "Red", rag.NO_RATING: "No rating"}
DIRECTION_WORDS = {
    rag.IMPROVING: "Improving",
    rag.WORSENING: "Worsening",
    rag.UNCHANGED: "Unchanged",
    rag.UP: "Up",
    rag.DOWN: "Down",
    "": "",
}
DIRECTION_ARROWS = {
    rag.IMPROVING: "▲",
    rag.WORSENING: "▼",
    rag.UNCHANGED: "►",
    rag.UP: "▲",
    rag.DOWN: "▼",
    "": "",
}
NOT_APPLICABLE = "n/a"
NOT_DUE = "not due"  # a month between a quarterly (or annual) measure's due months
YEAR_TO_DATE = "year to date"


def as_decimal(value) -> Decimal:
    """A number to format, exactly: a Decimal as it is, an int as it is, a float
    by its shortest repr (as Django's `floatformat` reads one), never through
    binary arithmetic."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"not a number to show: {value!r}")
    return Decimal(repr(value) if isinstance(value, float) else value)


def _missing(value) -> bool:
    return value is None or value == ""  # "" is what a template passes for nothing


def number(value: Decimal | None, places: int) -> str:
    """The value at the measure's places, with thousands separators; '' when missing."""
    if _missing(value):
        return ""
    rounded = rag.round_to(as_decimal(value), places)
    return f"{abs(rounded) if rounded == 0 else rounded:,}"  # never '-0.0'


def exact(value: Decimal | None) -> str:
    """A number as it is stored, with thousands separators and no trailing zeros:
    what a person entered ('12,345', '12.5', '0.75'), a tolerance; '' when missing."""
    if _missing(value):
        return ""
    value = as_decimal(value).normalize()
    return f"{abs(value) if value == 0 else value:,f}"


def figure(value: Decimal | None, measure) -> str:
    """A figure as a person reads it: '31.0%', '1,204', '29.1'. Without a measure
    (its places unknown), the number exactly as stored."""
    if _missing(value):
        return ""
    if measure is None or measure == "":
        return exact(value)
    return number(value, measure.decimal_places) + SUFFIX.get(measure.unit, "")


def as_entered(value: Decimal | None, measure) -> str:
    """A figure as its return holds it (`figures.comparable(as_entered=True)`): a
    rate per 10,000 is entered as the count of children, a whole number ('298'),
    never to the rate's places as if it were the rate; any other as `figure`."""
    if measure.entry == figures.COUNT and measure.unit == figures.RATE_10K:
        return number(value, 0) if not _missing(value) else ""
    return figure(value, measure)


# A difference between two figures of a measure: percentages differ in points
DIFFERENCE_SUFFIX = {**SUFFIX, "percent": " points", "rate_10k": " per 10,000"}


def difference(amount: Decimal, measure) -> str:
    """How far apart two of a measure's figures are, at its places and in its
    unit: '26.0 points' (percentages), '2.5 per 10,000', '3 days', '12'."""
    return number(amount, measure.decimal_places) + DIFFERENCE_SUFFIX.get(measure.unit, "")


def seconds(duration) -> str:
    """A duration in seconds to two places, '1.25 s'; '' when there is none. Not a
    figure: how long a calculation took."""
    if not duration:
        return ""
    micro = Decimal(duration // duration.resolution).scaleb(-6)
    return f"{micro.quantize(Decimal('0.01')):,} s"


def rating_tag(rating: str) -> str:
    """A RAG rating as a GOV.UK tag: the word always, the colour only beside it."""
    rating = rating if rating in RATING_WORDS else rag.NO_RATING
    return format_html(
        '<strong class="govuk-tag rag rag--{}">{}</strong>', rating, RATING_WORDS[rating]
    )


def result_text(result, measure) -> str:
    """A stored result as the pages and exports show it: the figure, 'n/a', 'c'
    where withheld (small numbers), or why there is no figure."""
    if result is None:
        return ""
    if not result.due:
        return NOT_DUE
    if result.not_applicable:
        return NOT_APPLICABLE
    if result.suppressed:
        return disclosure.SUPPRESSED
    if result.value is None:
        return result.note or ""
    return number(result.value, measure.decimal_places)


def period_note(measure, period_label: str = "") -> str:
    """What goes beside a figure to say what it covers: its quarter or year where
    the measure is not monthly ('for Q3 2014-15 (Oct–Dec 2014)'), and 'year to
    date' where it is cumulative from April. "" for a plain monthly figure."""
    parts = [f"for {period_label}" if period_label else "", measure.year_to_date and YEAR_TO_DATE]
    return ", ".join(part for part in parts if part)


def denominator_text(result, measure) -> str:
    """'n=100': the children a percentage is of, where it may be shown."""
    if (
        result is None
        or result.suppressed
        or result.not_applicable
        or measure.entry != figures.RATIO
        or result.denominator is None
    ):
        return ""
    return f"n={rag.round_to(result.denominator, 0):,}"


def rating_markup(result, measure) -> str:
    """The RAG cell: the rating's tag, 'c' where the figure is withheld, and why
    there is no rating where there is a reason."""
    if not measure.has_polarity or (result is not None and not result.due):
        return ""
    if result is None:
        return rating_tag(rag.NO_RATING)
    if result.suppressed:
        return disclosure.SUPPRESSED
    if result.note and result.value is not None:
        return format_html(
            '{} <span class="app-rating-note">{}</span>',
            rating_tag(result.rating),
            result.note.capitalize(),
        )
    return rating_tag(result.rating)


def rating_text(result, measure) -> str:
    """The RAG cell in words, for exports."""
    if not measure.has_polarity or (result is not None and not result.due):
        return ""
    if result is None:
        return RATING_WORDS[rag.NO_RATING]
    if result.suppressed:
        return disclosure.SUPPRESSED
    word = RATING_WORDS.get(result.rating, RATING_WORDS[rag.NO_RATING])
    if result.note and result.value is not None:
        return f"{word}: {result.note}"
    return word


# In a table whose columns hold figures of every unit, each figure says its
# unit, so that 31.0% and 29.1 per 10,000 never look alike.
CELL_SUFFIX = {**SUFFIX, "rate_10k": " per 10,000"}

PERIOD_NOUNS = {
    periods.MONTHLY: ("month", "months"),
    periods.QUARTERLY: ("quarter", "quarters"),
    periods.ANNUAL: ("year", "years"),
}


def with_unit(value: Decimal | None, measure) -> str:
    """A figure in a table cell: '31.0%', '29.1 per 10,000', '1,204'."""
    if _missing(value):
        return ""
    return number(value, measure.decimal_places) + CELL_SUFFIX.get(measure.unit, "")


def change_a_month(amount: Decimal, measure) -> str:
    """A signed change a month: '+2.0 points a month', '-0.7 per 10,000 a month'
    (one more place than a whole figure for a measure without decimals)."""
    places = max(measure.decimal_places, 1)
    text = number(amount, places)
    sign = "+" if rag.round_to(amount, places) > 0 else ""
    return f"{sign}{text}{DIFFERENCE_SUFFIX.get(measure.unit, '')} a month"


def trajectory_text(found, measure, target) -> str:
    """A `trajectory.Trajectory` in words: the pace needed to reach the long-term
    `target` by its date beside the last 6 months'; or why there is none. ""
    for a measure without a long-term target."""
    if found.status in (trajectory.NO_TARGET, trajectory.NO_POLARITY):
        return ""
    if not found.has_pace:
        return found.status.capitalize()
    needed = (
        f"To reach {figure(target.value, measure)} by {target.due:%B %Y}: "
        f"{change_a_month(found.needed, measure)} needed"
    )
    if found.recent is None:
        return f"{needed}; {found.status}"
    recent = change_a_month(found.recent, measure)
    return f"{needed}; the last {trajectory.RECENT_MONTHS} months: {recent}, {found.status}"


def total_text(value: Decimal | None, withheld: bool, measure) -> str:
    """A year to date or rolling 12 months as stored: 'c' where a month it
    covers is withheld, "" where the engine works out none (`total_missing`)."""
    if withheld:
        return disclosure.SUPPRESSED
    return with_unit(value, measure)


def total_missing(measure, result) -> str:
    """Why a measure's `result` has no year to date or rolling 12 months."""
    if measure.entry != figures.RATIO and not measure.year_to_date:
        return (
            "not worked out: only figures with a numerator and denominator are pooled over months"
        )
    if result is not None and result.value is not None and result.denominator is None:
        return (
            "not worked out: the figures were given as percentages without their numerators "
            "and denominators, and percentages are never averaged"
        )
    return "no figures in these months"


def comparison_lines(found) -> list[tuple[str, str]]:
    """A measure's `reports.Comparisons` as (what, in words) for its page: the
    same month last year, the year to date, the rolling 12 months, the periods
    at its rating and the trajectory to its long-term target."""
    measure, at = found.measure, found.month
    last_year = found.last_year
    if found.withheld:
        then = disclosure.SUPPRESSED
    elif last_year is None or last_year.value is None or last_year.suppressed:
        then = result_text(last_year, measure) or "No figure a year before"
    else:
        then = with_unit(last_year.value, measure)
        if last_year.provisional:
            then += " (provisional)"
        if found.current and found.current.against_last_year:
            since = DIRECTION_WORDS[found.current.against_last_year].lower()
            then += f"; {at:%B %Y} against it: {since}"
    year_start = aggregation.financial_year_start(at)
    lines = [
        (f"Same month last year ({aggregation.add_months(at, -12):%B %Y})", then),
        (
            f"Financial year to date ({year_start:%B %Y} to {at:%B %Y})",
            total_text(found.year_to_date, found.year_to_date_withheld, measure)
            or total_missing(measure, found.current).capitalize(),
        ),
        (
            f"Rolling 12 months ({aggregation.add_months(at, -11):%B %Y} to {at:%B %Y})",
            total_text(found.rolling_12_months, found.rolling_withheld, measure)
            or total_missing(measure, found.current).capitalize(),
        ),
    ]
    if measure.has_polarity:
        lines.append(("At this rating", rating_months_text(found.current, measure) or "No rating"))
    if found.long_term_target is not None:
        words = (
            disclosure.SUPPRESSED
            if found.withheld
            else trajectory_text(found.trajectory, measure, found.long_term_target)
        )
        lines.append(("Trajectory to the long-term target", words))
    return lines


def rating_months_text(result, measure) -> str:
    """How long the figure has been at its rating: 'Red for 4 months', 'Green
    for 1 quarter'; "" without a rating or where the figure is withheld."""
    if result is None or result.suppressed or not result.rating_months:
        return ""
    if result.rating not in (rag.GREEN, rag.AMBER, rag.RED):
        return ""
    return f"{RATING_WORDS[result.rating]} for {periods_text(measure, result.rating_months)}"


def periods_text(measure, count: int) -> str:
    """A number of the measure's periods: '1 month', '4 months', '2 quarters'."""
    one, many = PERIOD_NOUNS[measure.frequency]
    return f"{count} {one if count == 1 else many}"


def published_text(result, measure) -> str:
    """What the board was shown, for a revised result: '31.0', or 'no figure'."""
    if result is None or not result.revised:
        return ""
    if result.published_value is None:
        return "no figure"
    return number(result.published_value, measure.decimal_places)


def provisional_markup(result) -> str:
    """The mark after a provisional figure: a * and, for screen readers,
    '(provisional)'. Tables and templates (`{% provisional_mark %}`) all use it."""
    if result is None or not result.provisional:
        return ""
    return format_html(
        '<span class="provisional-mark" title="Provisional">*</span>'
        '<span class="govuk-visually-hidden"> (provisional)</span>'
    )


def revision_markup(result, measure) -> str:
    """The 'Revised' mark beside a figure, with the value that was published."""
    if result is None or not result.revised or result.suppressed:
        return ""
    return format_html(
        ' <strong class="govuk-tag govuk-tag--blue app-revised">Revised</strong>'
        '<span class="app-revised__was"> published {}</span>',
        published_text(result, measure),
    )


def revision_summary(result, measure) -> str:
    """The revision in one sentence: published value, new value, who, when, why."""
    if result is None or not result.revised:
        return ""
    # a sentence read on its own: each figure says its unit ('25.0%, now 27.0%')
    published = published_text(result, measure)
    if result.published_value is not None:
        published = with_unit(result.published_value, measure)
    now = result_text(result, measure) or "no figure"
    if now == number(result.value, measure.decimal_places):
        now = with_unit(result.value, measure)
    parts = [f"Published {published}, now {now}"]
    for change in result.revision.get("changes", []):
        who = ", ".join(change["changed_by"]) or "someone"
        when = change["approved_at"][:10]
        text = f"{change['area']}: changed by {who}, approved by {change['approved_by']} on {when}"
        if change.get("reason"):
            text += f"; reason: {change['reason']}"
        parts.append(text)
    return ". ".join(parts) + "."


# Icons after NHS England's "Making Data Count": a variation icon (grey for
# common cause, blue improving, orange concerning, purple neither) and an
# assurance icon (P passing, F failing, ? hit and miss). The words always stand
# beside them, so the icons are decorative to a screen reader.
SPC_ICONS = {
    spc.COMMON_CAUSE: ("common", "~"),
    spc.SPECIAL_CAUSE_IMPROVING: ("improving", "+"),
    spc.SPECIAL_CAUSE_CONCERNING: ("concerning", "!"),
    spc.SPECIAL_CAUSE_NEUTRAL: ("neutral", "•"),
    spc.CONSISTENTLY_PASSING: ("passing", "P"),
    spc.CONSISTENTLY_FAILING: ("failing", "F"),
    spc.HIT_AND_MISS: ("hit-and-miss", "?"),
}


def spc_words(result) -> str:
    """A result's statistical process control in words, for exports and the
    board pack: its variation and assurance ('Special cause, concerning;
    consistently failing'), or why there is none. "" for a month not due."""
    if result is None or not result.due:
        return ""
    if not result.spc_variation:
        return (result.spc_note or "").capitalize()
    words = [result.spc_variation, result.spc_assurance]
    return "; ".join(word for word in words if word).capitalize()


def _spc_icon(words: str):
    kind, mark = SPC_ICONS[words]
    return format_html(
        '<svg class="app-spc__icon app-spc__icon--{}" width="20" height="20" viewBox="0 0 20 20"'
        ' aria-hidden="true" focusable="false"><circle cx="10" cy="10" r="9"/>'
        '<text x="10" y="14.5" text-anchor="middle">{}</text></svg>',
        kind,
        mark,
    )


def spc_markup(result) -> str:
    """The SPC cell: variation and assurance, each an icon with its words, and
    the rules this month's point broke; or why there is no SPC."""
    if result is None or not result.due:
        return ""
    if not result.spc_variation:
        return format_html('<span class="app-spc__note">{}</span>', spc_words(result))
    parts = [
        format_html(
            '<span class="app-spc__item">{} {}</span>',
            _spc_icon(result.spc_variation),
            result.spc_variation.capitalize(),
        )
    ]
    if result.spc_signals:
        parts.append(
            format_html(
                '<span class="app-spc__rules">{}</span>', "; ".join(result.spc_signals).capitalize()
            )
        )
    if result.spc_assurance:
        parts.append(
            format_html(
                '<span class="app-spc__item">{} {}</span>',
                _spc_icon(result.spc_assurance),
                result.spc_assurance.capitalize(),
            )
        )
    return format_html(
        '<span class="app-spc">{}</span>', format_html_join("", "{}", ((part,) for part in parts))
    )
