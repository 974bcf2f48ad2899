"""The Vendor Lock-in Index with its method, and the overview of costs and footprint (issue 15)."""
from __future__ import annotations

from datetime import date

from flask import Response, request
from flask_babel import gettext as _

from register.db import get_session
from register.services import costs, lockin
from register.services.standard import CHOICE_LABELS, COST_FIGURES, label
from register.web.common import fail, locale, respond, twin
from register.web.public import bp


def _index():
    year = request.args.get("year", "")
    if year and not (year.isdigit() and len(year) == 4):
        fail(404, _("There is no index for this year."))
    result = lockin.view(get_session(), int(year) if year else None, date.today().year)
    if result is None:
        fail(404, _("There is no index for this year."))
    return result


@twin(bp, "/lock-in-index")
def lockin_index(fmt: str):
    """The yearly Vendor Lock-in Index per domain: chart, table, suppliers, change since last year."""
    result = _index()
    factor_labels = {name: _(text) for name, text in lockin.FACTOR_LABELS.items()}
    return respond("public/lockin_index.html", fmt, json_keys=("index",), index=result,
                   factor_labels=factor_labels, current_year=date.today().year)


@bp.get("/lock-in-index.csv")
def lockin_index_csv():
    """The index per domain as CSV (UTF-8 with BOM)."""
    result = _index()
    return Response(lockin.to_csv(result), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="lock-in-index-{result["year"]}.csv"'})


@twin(bp, "/lock-in-index/method")
def lockin_method(fmt: str):
    """How the index is computed: factors, weights, definitions of each value (versioned)."""
    factors = [{"name": name, "label": _(lockin.FACTOR_LABELS[name]), "weight": weight, "field": field,
                "field_label": label(field, locale()),
                "values": [{"value": value, "label": _(CHOICE_LABELS[field][value]) if field in CHOICE_LABELS else
                            (_("Yes") if value is True else _("No") if value is False else value),
                            "dependence": round(dependence, 2)} for value, dependence in (scale or {}).items()]}
               for name, (weight, field, scale) in lockin.FACTORS.items()]
    return respond("public/lockin_method.html", fmt, json_keys=("method_version", "factors", "top_suppliers"),
                   method_version=lockin.METHOD_VERSION, factors=factors, top_suppliers=lockin.TOP_SUPPLIERS)


@twin(bp, "/costs")
def costs_overview(fmt: str):
    """Declared yearly costs and energy, and the register's own measured footprint, per domain and for the city."""
    result = costs.overview(get_session())
    labels = {figure: label(figure, locale()) for figure in COST_FIGURES}
    return respond("public/costs.html", fmt, json_keys=("overview", "figures"), overview=result,
                   figures=list(COST_FIGURES), labels=labels)
