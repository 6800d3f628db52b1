from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workforce"
    verbose_name = "Workforce"

    def ready(self):
        # The workforce plugs into the scorecard through the scorecard's own
        # interfaces; the scorecard never imports this app.
        from scorecard import audit, engine, views_returns
        from scorecard import sample as scorecard_sample

        from . import forms, measures, models, sample, sources

        engine.register_figure_source(sources.staffing_figures, measures=measures.CODES)
        views_returns.register_return_section(forms.StaffingForm)
        scorecard_sample.register_sample_loader(sample.load)
        audit.register_audited_section(models.Staffing, fields=models.FIGURE_FIELDS,
                                       subject="Staffing")
