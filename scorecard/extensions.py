"""The one way another app adds to the scorecard, which never imports it.

An installed app's `AppConfig` names its part in a `scorecard_part` attribute,
the dotted path of a `ScorecardPart` (the workforce app's: `workforce.part.PART`):

    class WorkforceConfig(AppConfig):
        name = "workforce"
        scorecard_part = "workforce.part.PART"

The scorecard asks `parts()` for the installed apps' parts, in INSTALLED_APPS
order, each time it needs them; each field of a part is optional.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class ScorecardPart:
    # `engine`: figure_source(engine.Window) -> {(measure code, area id, month):
    # figures.Figure}, counted like figures typed into the return (only once it is
    # approved, pooled into the authority's); `measures`: the codes of the measures
    # it computes, which nobody types into a return's form.
    figure_source: Callable | None = None
    measures: frozenset[str] = frozenset()
    # `views_returns`: a further section of the return's form (see `return_sections`).
    return_section: type | None = None
    # `sample`: loader(data=..., areas={slug: area}, months=[...], officer=...),
    # called inside the sample's transaction after the measures.
    sample_loader: Callable | None = None
    # `benchmark_data`: loader(returns=[(return id, area id, month)], rng=random.Random,
    # scale={area id: its size}) -> {what: rows written}, the part's figures of the
    # synthetic set's approved area returns, inside its transaction.
    benchmark_loader: Callable | None = None
    # `audit`: a pghistory-tracked model with a `monthly_return` foreign key, its
    # audited fields and the subject its changes show under in the return's History.
    audited_model: type | None = None
    audited_fields: tuple[str, ...] = ()
    audited_subject: str = ""


def parts() -> list[ScorecardPart]:
    return [
        import_string(config.scorecard_part)
        for config in apps.get_app_configs()
        if getattr(config, "scorecard_part", None)
    ]
