from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, format_date


def filter_domain(company_id, date_from=None, date_to=None, product_ids=None, categ_ids=None, warehouse_ids=None, *,
                  date_field=None, product_field=None, categ_field=None, warehouse_field=None):
    """The one rule of the inventory-to-G/L filters as a domain (see ``stock.gl.filter.mixin``), from plain
    values: ``company_id`` (int), dates (``datetime.date`` or None), ``product_ids`` (list of int, or None / empty:
    no product condition), ``categ_ids`` and ``warehouse_ids`` (lists of int, empty: no condition). With
    ``categ_field`` the categories filter that field (``child_of``); without it, the caller has already turned
    them into ``product_ids``. Used by the mixin and by the posting engine, whose requests hold no record."""
    domain = [("company_id", "=", company_id)]
    if date_field and date_from:
        domain.append((date_field, ">=", date_from))
    if date_field and date_to:
        domain.append((date_field, "<=", date_to))
    if product_field and product_ids is not None and (product_ids or not categ_field):
        domain.append((product_field, "in", list(product_ids)))
    if categ_field and categ_ids:
        domain.append((categ_field, "child_of", list(categ_ids)))
    if warehouse_field and warehouse_ids:
        domain.append((warehouse_field, "in", list(warehouse_ids)))
    return domain


def check_period(env, date_from, date_to):
    """The one rule of the tools' periods: it ends on or after it starts (an inverted range would show all zeros,
    read as reconciled, or post nothing). Used by the mixin's constraint and by the posting engine, whose requests
    hold no record.

    :raise ValidationError: naming both dates
    """
    if date_from and date_to and date_from > date_to:
        raise ValidationError(env._("The starting date %(f)s is after the ending date %(t)s: swap them.",
                                    f=format_date(env, date_from), t=format_date(env, date_to)))


class StockGlFilterMixin(models.AbstractModel):
    """The filters of the inventory-to-G/L tools: company, date from/to, products, product categories and,
    on the models that have one, warehouses; turned into a domain or an SQL condition on the rows they
    filter (value entries, journal items, ...).

    Fields: ``company_id`` (required, the current company by default), ``currency_id`` (the company's),
    ``date_from`` (no default), ``date_to`` (today by default), ``product_ids``, ``categ_ids``. A model
    re-declares a field to change its label or make it required (``date_to = fields.Date("Ending Date",
    required=True)``): the attributes are merged. The warehouse filter is not declared here: a model that
    has one declares ``warehouse_ids`` (Many2many ``stock.warehouse``) and the methods below read it; the
    others have none.

    The category filter has two meanings, chosen by the caller with ``categ_field``:

    - ``categ_field=None`` (the reconciliation): products whose *current* category is a filtered category
      or one of its children, archived products included (``_gl_filter_product_ids``), intersected with the
      product filter: the condition is on ``product_field`` only;
    - ``categ_field="categ_id"`` (value entries' own category, the valuation reports and the posting queue):
      the row's category is a filtered category or one of its children, and the product filter is on
      ``product_field`` as selected.
    """

    _name = "stock.gl.filter.mixin"
    _description = "Inventory - G/L Filters"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_from = fields.Date()
    date_to = fields.Date(default=fields.Date.context_today)
    product_ids = fields.Many2many("product.product", string="Products", check_company=True)
    categ_ids = fields.Many2many("product.category", string="Product Categories")

    @api.constrains("date_from", "date_to")
    def _check_gl_filter_dates(self):
        """``check_period`` on every record."""
        for record in self:
            check_period(self.env, record.date_from, record.date_to)

    def _gl_period_label(self):
        """The period in the user's date format for titles: ``"11/01/2026 - 11/30/2026"``, one date when only one
        is set, ``""`` when neither is."""
        self.ensure_one()
        return " - ".join(format_date(self.env, d) for d in (self.date_from, self.date_to) if d)

    def _gl_filter_product_ids(self):
        """Ids of the products of the product and category filters (list of int; the category by the
        product's current category and its children; archived products included), None when neither
        filter is set. An empty list means that nothing matches."""
        self.ensure_one()
        if not (self.product_ids or self.categ_ids):
            return None
        domain = [("id", "in", self.product_ids.ids)] if self.product_ids else []
        if self.categ_ids:
            domain.append(("categ_id", "child_of", self.categ_ids.ids))
        return self.env["product.product"].with_context(active_test=False).search(domain).ids

    def _gl_filter_warehouse_ids(self):
        """Ids of the warehouse filter (list of int, empty when unset or when the model has no such filter)."""
        self.ensure_one()
        return self.warehouse_ids.ids if "warehouse_ids" in self._fields else []

    def _gl_filter_domain(self, date_field=None, product_field=None, categ_field=None, warehouse_field=None):
        """The filters as a domain on the filtered model (a list of leaves, implicitly AND-ed): ``filter_domain``
        with this record's values.

        :param date_field: the date field the date range applies to (``"posting_date"`` on value entries,
            ``"date"`` on journal items), None: no date condition
        :param product_field: the product field (``"product_id"``), None: no product/category condition
            (unless ``categ_field``)
        :param categ_field: None: categories select products (by their current category) on
            ``product_field``; a field name: ``(categ_field, 'child_of', categories)``
        :param warehouse_field: the warehouse field (``"warehouse_id"``), None: no warehouse condition
        :return: e.g. ``[("company_id", "=", 1), ("posting_date", ">=", date), ("posting_date", "<=", date),
            ("product_id", "in", [ids]), ("warehouse_id", "in", [ids])]``; always starts with the company
        """
        self.ensure_one()
        products = self.product_ids.ids if categ_field else self._gl_filter_product_ids()
        return filter_domain(self.company_id.id, self.date_from, self.date_to, products, self.categ_ids.ids,
                             self._gl_filter_warehouse_ids(), date_field=date_field, product_field=product_field,
                             categ_field=categ_field, warehouse_field=warehouse_field)

    def _gl_filter_sql(self, alias, date_field=None, product_field=None, categ_field=None, warehouse_field=None):
        """The filters as an SQL condition over the table alias ``alias``: the same rule as
        ``_gl_filter_domain`` with the same parameters (column names), ``child_of`` expanded to the
        categories and their children.

        :return: ``SQL`` like ``"svl"."company_id" = 1 AND "svl"."posting_date" >= '2026-01-01' AND
            "svl"."product_id" = ANY(ARRAY[...])`` (never empty: the company is always there)
        """
        conds = []
        for field, operator, value in self._gl_filter_domain(date_field, product_field, categ_field, warehouse_field):
            column = SQL.identifier(alias, field)
            if operator == "child_of":
                value = self.env["product.category"].search([("id", "child_of", value)]).ids
                operator = "in"
            if operator == "in":
                conds.append(SQL("%s = ANY(%s)", column, value))
            else:
                conds.append(SQL("%s %s %s", column, SQL(operator), value))
        return SQL(" AND ").join(conds)

    def _gl_date_sql(self, expr):
        """The date range as an SQL truth value over any date expression ``expr`` (``SQL``), in
        parentheses; TRUE without dates."""
        self.ensure_one()
        conds = [SQL("TRUE")]
        if self.date_from:
            conds.append(SQL("%s >= %s", expr, self.date_from))
        if self.date_to:
            conds.append(SQL("%s <= %s", expr, self.date_to))
        return SQL("(%s)", SQL(" AND ").join(conds))
