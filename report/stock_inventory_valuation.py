from datetime import datetime, time

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

from ..models import posting_plan

_lt = LazyTranslate(__name__)

# the reports (a selection computed by ``_selection_report_type``: its labels are translated there)
REPORT_TYPES = [
    ("valuation", _lt("Inventory Valuation")),
    ("cost_spec", _lt("Inventory Valuation - Cost Spec.")),
    ("cost_shares", _lt("Cost Shares Breakdown")),
]
# BC report 5802, offered when mrp_account is installed
WIP_REPORT_TYPE = ("wip", _lt("Inventory Valuation - WIP"))
WIP_COLUMNS = ["component_value", "capacity_value", "output_value", "wip_value"]
# BC report 1001: item ledger entry types counted as increases / decreases; other value entries (transfers,
# revaluations without a document) by the sign of their quantity
INCREASE_TYPES = ("purchase", "positive_adjmt", "output")
DECREASE_TYPES = ("sale", "negative_adjmt", "consumption")
COLUMNS = ["start_qty", "start_value", "increase_qty", "increase_value", "decrease_qty", "decrease_value",
           "end_qty", "end_value", "cost_posted_to_gl"]
VALUE_COLUMNS = {"start_value", "increase_value", "decrease_value", "end_value", "cost_posted_to_gl", *WIP_COLUMNS}
REPORT_COLUMNS = {  # the line columns each report's query returns
    "valuation": COLUMNS,
    "cost_spec": ["end_qty", "end_value"],
    "cost_shares": ["decrease_qty", "decrease_value"],
    "wip": WIP_COLUMNS,
}
KEY_COLUMNS = {"wip": ["production_name", "production_res_id"]}  # besides product, category and entry type


class StockInventoryValuationReport(models.TransientModel):
    """Valuation reports computed from value entries (``stock.valuation.layer``) with one SQL aggregation
    each, by posting date, in company currency and product UoM:

    - **Inventory Valuation** (BC report 1001), period: per product, quantity and value before the start
      date, increases, decreases (shown positive), at the end date, and cost posted to G/L up to the end.
      Increases are entries of purchases, positive adjustments and production output, decreases those of
      sales, negative adjustments and consumption; an entry without such a document (revaluation,
      transfer) counts by the sign of its quantity. A vendor return is a negative increase and a customer
      return a negative decrease, as in BC. Transfer value entries (README, "Transfer value entries") count with
      their location quantity in a warehouse filter and net out without one (BC: both legs net out).
    - **Inventory Valuation - Cost Spec.** (BC 5801), at the end date: remaining quantity and value split
      by entry type. FIFO: each receipt's entries (its direct cost, its landed costs, revaluations) times
      the share of its quantity not yet consumed on that date (``stock.valuation.layer.application``);
      average and standard cost: the entries up to the date summed per entry type (BC's rule for Average).
    - **Cost Shares Breakdown** (BC 5848, sales): cost of goods sold in the period (value entries of sales,
      sign reversed: positive cost) split by entry type.
    - **Inventory Valuation - WIP** (BC 5802), with ``mrp_account`` installed, at the end date: per manufacturing
      order not done on that date, its components picked, its capacity, its output and its WIP value (``_wip_sql``).

    The lines (``stock.inventory.valuation.line``) feed a list (export to XLSX), a pivot and a QWeb PDF.
    """

    _name = "stock.inventory.valuation.report"
    _inherit = "stock.gl.filter.mixin"
    _description = "Inventory Valuation Reports"
    _check_company_auto = True

    report_type = fields.Selection("_selection_report_type", required=True, default="valuation")
    date_from = fields.Date("Starting Date")
    date_to = fields.Date("Ending Date", required=True)
    warehouse_ids = fields.Many2many("stock.warehouse", string="Warehouses", check_company=True)
    line_ids = fields.One2many("stock.inventory.valuation.line", "report_id", "Lines")

    @api.model
    def _selection_report_type(self):
        """The reports, labels in the user's language; Inventory Valuation - WIP only where manufacturing orders
        exist (``mrp`` installed)."""
        types = REPORT_TYPES + ([WIP_REPORT_TYPE] if "mrp.production" in self.env else [])
        return [(key, self.env._(label)) for key, label in types]

    @api.depends("report_type", "date_from", "date_to")
    def _compute_display_name(self):
        labels = dict(self._fields["report_type"]._description_selection(self.env))
        for report in self:
            period = report._gl_period_label()
            label = labels[report.report_type]
            report.display_name = "%s (%s)" % (label, period) if period else label

    # ------------------------------------------------------------------------------------------------
    # Computation
    # ------------------------------------------------------------------------------------------------
    def _svl_filter(self, by_warehouse=True):
        """SQL over alias svl: company, products, categories (the value entry's own category and its
        children) and, when ``by_warehouse``, warehouses of the filters; no date."""
        return self._gl_filter_sql("svl", product_field="product_id", categ_field="categ_id",
                                   warehouse_field="warehouse_id" if by_warehouse else None)

    def _valuation_sql(self):
        """Inventory Valuation per product. Transfer value entries (origin ``transfer``) count with the quantity
        they move into or out of their place (``gl_location_quantity``): with a warehouse filter they are that
        warehouse's increases and decreases; without one both legs net out and are left out of the increases
        and decreases (BC report 1001)."""
        start = self.date_from
        before = SQL("svl.posting_date < %s", start) if start else SQL("FALSE")
        within = SQL("svl.posting_date <= %s", self.date_to) if not start else SQL(
            "svl.posting_date BETWEEN %s AND %s", start, self.date_to)
        quantity = SQL("(CASE WHEN svl.gl_origin = 'transfer' THEN svl.gl_location_quantity ELSE svl.quantity END)")
        if not self.warehouse_ids:
            within = SQL("(%s AND svl.gl_origin IS DISTINCT FROM 'transfer')", within)
        decrease = SQL("""(svl.document_type = ANY(%s) OR ((svl.document_type IS NULL OR svl.document_type != ALL(%s))
                           AND %s < 0))""", list(DECREASE_TYPES), list(INCREASE_TYPES + DECREASE_TYPES), quantity)
        return SQL("""
            SELECT svl.product_id, MIN(svl.categ_id) AS categ_id, NULL::varchar AS entry_type,
                   SUM(%(quantity)s) FILTER (WHERE %(before)s) AS start_qty,
                   SUM(svl.value) FILTER (WHERE %(before)s) AS start_value,
                   SUM(%(quantity)s) FILTER (WHERE %(within)s AND NOT %(decrease)s) AS increase_qty,
                   SUM(svl.value) FILTER (WHERE %(within)s AND NOT %(decrease)s) AS increase_value,
                   -SUM(%(quantity)s) FILTER (WHERE %(within)s AND %(decrease)s) AS decrease_qty,
                   -SUM(svl.value) FILTER (WHERE %(within)s AND %(decrease)s) AS decrease_value,
                   SUM(%(quantity)s) AS end_qty, SUM(svl.value) AS end_value,
                   SUM(COALESCE(svl.cost_posted_to_gl, 0)) AS cost_posted_to_gl
              FROM stock_valuation_layer svl
             WHERE %(filter)s AND svl.posting_date <= %(date_to)s
             GROUP BY svl.product_id
        """, quantity=quantity, before=before, within=within, decrease=decrease, filter=self._svl_filter(),
                   date_to=self.date_to)

    def _cost_spec_sql(self):
        """Cost Spec. lines (see the class doc). With a warehouse filter, each product's remaining quantity and
        value in the warehouses (Inventory Valuation by warehouse: the transfer value entries follow the goods)
        split by entry type in the shares of the company's Cost Spec. of the product: under the location invariant
        each place holds its quantity at the company's cost, so its value is made of the same costs in the same
        proportions (BC splits a location's value by its own value entries; Odoo's FIFO is company-wide). The
        rounding residual goes to the product's largest entry type, so the lines add up to the warehouses'
        value to the cent."""
        if not self.warehouse_ids:
            return self._cost_spec_company_sql()
        digits = self.currency_id.decimal_places
        return SQL("""
            WITH company AS (%(company)s),
            totals AS (
                SELECT product_id, SUM(end_qty) AS qty, SUM(end_value) AS value FROM company GROUP BY product_id
            ), place AS (
                SELECT svl.product_id,
                       SUM(CASE WHEN svl.gl_origin = 'transfer' THEN svl.gl_location_quantity ELSE svl.quantity END)
                           AS qty,
                       ROUND(SUM(svl.value), %(digits)s) AS value
                  FROM stock_valuation_layer svl
                 WHERE %(filter)s AND svl.posting_date <= %(date_to)s
                 GROUP BY svl.product_id
            ), scaled AS (
                SELECT c.product_id, c.categ_id, c.entry_type,
                       COALESCE(c.end_qty * p.qty / NULLIF(t.qty, 0), 0) AS end_qty,
                       COALESCE(ROUND(c.end_value * p.value / NULLIF(t.value, 0), %(digits)s), 0) AS end_value,
                       p.value AS place_value,
                       row_number() OVER (PARTITION BY c.product_id ORDER BY ABS(c.end_value) DESC, c.entry_type)
                           AS rank
                  FROM company c JOIN totals t ON t.product_id = c.product_id
                  JOIN place p ON p.product_id = c.product_id
                 WHERE t.value != 0 OR t.qty != 0
            )
            SELECT product_id, categ_id, entry_type, end_qty,
                   end_value + CASE WHEN rank = 1
                                    THEN place_value - SUM(end_value) OVER (PARTITION BY product_id) ELSE 0 END
                       AS end_value
              FROM scaled
        """, company=self._cost_spec_company_sql(), digits=digits, filter=self._svl_filter(), date_to=self.date_to)

    def _cost_spec_company_sql(self):
        """Remaining quantity and value on the end date per product and entry type (see the class doc).

        FIFO follows how Odoo's FIFO consumes a receipt: its own entry keeps ``value × remaining ÷ quantity``; a
        value added to it later (the share in stock of a landed cost or of a bill's price difference) belonged to
        the quantity left then and keeps ``value × remaining ÷ quantity left then`` (each outbound entry after it took
        its share through the receipt's remaining value). A late cost's sold share and what Adjust Cost forwarded of
        it (``gl_forward_quantity``, ``gl_cost_source_id``) count in full: they net to what is not forwarded yet,
        still in inventory. Whatever no rule places (rounding of Odoo's outbound entries, a revaluation spread over
        the receipts in stock) goes to the product's largest line, so that the lines add up to the value entries,
        i.e. to Inventory Valuation's value at the end, to the cent.

        Shaped to stay fast when PostgreSQL's statistics lag behind the data (right after entries were
        created in bulk, when the planner believes a filter returns one row and picks nested loops): the
        filtered entries are materialised first, with their costing method looked up by primary key; they
        are summed per receipt and added value (FIFO) or per entry type; each group then reads its receipt by
        primary key and what the receipt gave to outbound entries through the applications' index, once. No
        join between two intermediate results or with a table scan, whose cost would multiply under a wrong
        estimate: every step is linear in the filtered entries."""
        digits = self.currency_id.decimal_places
        return SQL("""
            WITH entries AS MATERIALIZED (
                SELECT svl.id, svl.product_id, svl.categ_id, svl.entry_type, svl.quantity, svl.value,
                       svl.stock_valuation_layer_id, svl.applies_to_id, %(cost_method)s AS cost_method,
                       (COALESCE(svl.gl_forward_quantity, 0) > 0 OR svl.gl_cost_source_id IS NOT NULL) AS forwarding
                  FROM stock_valuation_layer svl
                  JOIN product_product pp ON pp.id = svl.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                  JOIN product_category pc ON pc.id = pt.categ_id
                 WHERE %(filter)s AND svl.posting_date <= %(date_to)s
                   AND svl.gl_origin IS DISTINCT FROM 'transfer'  -- the legs of a pair net out in the company
            ), groups AS MATERIALIZED (
                -- FIFO: per receipt and added value (a value-only entry of the receipt) and entry type; a late cost's
                -- sold share and its forwarding, and the other methods: per entry type
                SELECT e.product_id, MIN(e.categ_id) AS categ_id, e.entry_type, e.cost_method,
                       CASE WHEN e.cost_method = 'fifo' AND NOT e.forwarding
                            THEN COALESCE(e.stock_valuation_layer_id, e.id) END AS receipt_id,
                       CASE WHEN e.cost_method = 'fifo' AND NOT e.forwarding AND e.stock_valuation_layer_id IS NOT NULL
                            THEN e.id END AS added_id,
                       SUM(e.quantity) AS quantity, SUM(e.value) AS value,
                       -- an entry without quantity nor receipt (a revaluation spread over the remaining layers)
                       bool_and(e.quantity = 0 AND e.stock_valuation_layer_id IS NULL AND e.applies_to_id IS NULL)
                           AS spread,
                       bool_and(e.forwarding) AS forwarding
                  FROM entries e
                 GROUP BY e.product_id, e.entry_type, e.cost_method, 5, 6
            ), lines AS (
                SELECT g.product_id, MIN(g.categ_id) AS categ_id, g.entry_type,
                       SUM(CASE WHEN g.cost_method != 'fifo'
                                THEN CASE WHEN g.entry_type = 'direct_cost' THEN g.quantity ELSE 0 END
                                WHEN r.id IS NOT NULL AND g.quantity > 0 AND g.added_id IS NULL THEN r.remaining
                                ELSE 0 END) AS end_qty,
                       ROUND(SUM(CASE WHEN r.id IS NOT NULL AND r.left_then > 0
                                      THEN g.value * r.remaining / r.left_then
                                      ELSE g.value END), %(digits)s) AS end_value
                  FROM groups g
                  -- FIFO: the receipt (by primary key, once per group: a lateral look-up keeps the planner from
                  -- rescanning the table per group under a wrong estimate), what it kept on the date and what it had
                  -- left when the value was added
                  LEFT JOIN LATERAL (
                        SELECT r.id,
                               r.quantity - COALESCE(SUM(a.quantity) FILTER (WHERE o.posting_date <= %(date_to)s), 0)
                                   AS remaining,
                               r.quantity - COALESCE(SUM(a.quantity) FILTER (WHERE a.outbound_svl_id < g.added_id), 0)
                                   AS left_then
                          FROM stock_valuation_layer r
                          LEFT JOIN stock_valuation_layer_application a ON a.inbound_svl_id = r.id
                          LEFT JOIN stock_valuation_layer o ON o.id = a.outbound_svl_id
                         WHERE r.id = g.receipt_id AND r.quantity > 0 AND r.stock_valuation_layer_id IS NULL
                           AND r.posting_date <= %(date_to)s
                         GROUP BY r.id, r.quantity) r ON TRUE
                 WHERE g.cost_method != 'fifo' OR r.id IS NOT NULL OR g.spread OR g.forwarding
                 GROUP BY g.product_id, g.entry_type
            ), totals AS (
                SELECT e.product_id, MIN(e.categ_id) AS categ_id, ROUND(SUM(e.value), %(digits)s) AS value
                  FROM entries e GROUP BY e.product_id
            )
            -- what no rule placed goes to the product's largest line (direct cost when it has none: negative stock):
            -- the lines add up to the value entries
            SELECT t.product_id, COALESCE(l.categ_id, t.categ_id) AS categ_id,
                   COALESCE(l.entry_type, 'direct_cost') AS entry_type, COALESCE(l.end_qty, 0) AS end_qty,
                   COALESCE(l.end_value, 0) + CASE
                       WHEN row_number() OVER (PARTITION BY t.product_id ORDER BY ABS(l.end_value) DESC NULLS LAST,
                                                                                  l.entry_type) = 1
                       THEN t.value - COALESCE(SUM(l.end_value) OVER (PARTITION BY t.product_id), 0) ELSE 0 END
                       AS end_value
              FROM totals t LEFT JOIN lines l ON l.product_id = t.product_id
        """, filter=self._svl_filter(by_warehouse=False), date_to=self.date_to, digits=digits,
            cost_method=self.env["product.category"].with_company(self.company_id)._field_to_sql(
                "pc", "property_cost_method"))

    def _cost_shares_sql(self):
        """Cost Shares Breakdown lines (see the class doc): cost of goods sold of the period per entry type. A FIFO
        outbound entry carries in one value what it took of its receipts: their direct cost, and its share of the
        values added to them before it (the share in stock of a landed cost or of a price difference, taken through
        the receipt's remaining value: value × quantity taken ÷ quantity left when the value was added); those
        shares count under their own entry type, the rest as direct cost."""
        within = SQL("svl.posting_date <= %s", self.date_to) if not self.date_from else SQL(
            "svl.posting_date BETWEEN %s AND %s", self.date_from, self.date_to)
        return SQL("""
            WITH sales AS MATERIALIZED (
                SELECT svl.id, svl.product_id, svl.categ_id, svl.entry_type, svl.quantity, svl.value,
                       %(cost_method)s AS cost_method
                  FROM stock_valuation_layer svl
                  JOIN product_product pp ON pp.id = svl.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                  JOIN product_category pc ON pc.id = pt.categ_id
                 WHERE %(filter)s AND %(within)s AND svl.document_type = 'sale'
            ), shares AS (
                SELECT s.id, added.entry_type,
                       ROUND(-SUM(added.value * a.quantity / r.left_then), %(digits)s) AS value
                  FROM sales s
                  JOIN stock_valuation_layer_application a ON a.outbound_svl_id = s.id
                  JOIN stock_valuation_layer added ON added.stock_valuation_layer_id = a.inbound_svl_id
                   AND added.id < s.id AND added.quantity = 0 AND added.applies_to_id IS NULL
                   AND COALESCE(added.gl_forward_quantity, 0) = 0 AND added.gl_cost_source_id IS NULL
                  JOIN LATERAL (
                        SELECT r.quantity - COALESCE(SUM(before.quantity), 0) AS left_then
                          FROM stock_valuation_layer r
                          LEFT JOIN stock_valuation_layer_application before
                            ON before.inbound_svl_id = r.id AND before.outbound_svl_id < added.id
                         WHERE r.id = a.inbound_svl_id
                         GROUP BY r.quantity) r ON r.left_then > 0
                 WHERE s.cost_method = 'fifo' AND s.quantity < 0 AND s.entry_type = 'direct_cost'
                 GROUP BY s.id, added.entry_type
            ), parts AS (
                SELECT s.product_id, s.categ_id, s.entry_type, s.quantity,
                       s.value - COALESCE((SELECT SUM(sh.value) FROM shares sh WHERE sh.id = s.id), 0) AS value
                  FROM sales s
                 UNION ALL
                SELECT s.product_id, s.categ_id, sh.entry_type, 0, sh.value
                  FROM shares sh JOIN sales s ON s.id = sh.id
            )
            SELECT p.product_id, MIN(p.categ_id) AS categ_id, p.entry_type,
                   -SUM(p.quantity) FILTER (WHERE p.entry_type = 'direct_cost') AS decrease_qty,
                   -SUM(p.value) AS decrease_value
              FROM parts p
             GROUP BY p.product_id, p.entry_type
        """, filter=self._svl_filter(), within=within, digits=self.currency_id.decimal_places,
            cost_method=self.env["product.category"].with_company(self.company_id)._field_to_sql(
                "pc", "property_cost_method"))

    def _wip_sql(self):
        """Inventory Valuation - WIP lines: per manufacturing order not done at the end date (confirmed, in progress,
        to close, or done later) of the filters' finished products and warehouses, amounts as Odoo 18's WIP
        accounting (``mrp.account.wip.accounting._get_line_vals``) values them on that date, its oracle:

        * ``component_value``: the picked move lines of its components dated up to the end of the day (UTC, as the
          wizard compares them), quantity in the product's UoM × the current cost (the lot's for a product valued by
          lot, when set);
        * ``capacity_value``: the time logs of its work orders ended by then, hours × the work center's current cost
          per hour (``mrp.workorder._cal_cost``);
        * ``output_value``: the value entries of its finished products and by-products dated up to the end date;
        * ``wip_value`` = components + capacity - output.
        """
        end = datetime.combine(self.date_to, time.max)
        company = self.with_company(self.company_id)
        product_cost = company.env["product.product"]._field_to_sql("pp", "standard_price")
        lot_cost = company.env["stock.lot"]._field_to_sql("lot", "standard_price")
        # the filters: the finished product (products, categories) and the warehouse of the operation type
        conds = [SQL("mo.company_id = %s", self.company_id.id)]
        if (products := self._gl_filter_product_ids()) is not None:
            conds.append(SQL("mo.product_id = ANY(%s)", products))
        if warehouses := self._gl_filter_warehouse_ids():
            conds.append(SQL("spt.warehouse_id = ANY(%s)", warehouses))
        return SQL("""
            WITH orders AS (
                SELECT mo.id, mo.name, mo.product_id, pt.categ_id
                  FROM mrp_production mo
                  JOIN product_product pp ON pp.id = mo.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                  LEFT JOIN stock_picking_type spt ON spt.id = mo.picking_type_id
                 WHERE %(filter)s AND mo.date_start <= %(end)s
                   AND (mo.state IN ('confirmed', 'progress', 'to_close')
                        OR (mo.state = 'done' AND mo.date_finished > %(end)s))
            ), components AS (
                SELECT sm.raw_material_production_id AS production_id,
                       SUM(ml.quantity_product_uom * COALESCE(
                           CASE WHEN pt.lot_valuated THEN NULLIF(%(lot_cost)s, 0) END, %(product_cost)s, 0)
                       )::numeric AS value
                  FROM orders o
                  JOIN stock_move sm ON sm.raw_material_production_id = o.id
                  JOIN stock_move_line ml ON ml.move_id = sm.id
                  JOIN product_product pp ON pp.id = ml.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                  LEFT JOIN stock_lot lot ON lot.id = ml.lot_id
                 WHERE ml.picked AND ml.quantity != 0 AND ml.date <= %(end)s
                 GROUP BY 1
            ), capacity AS (
                SELECT wo.production_id, SUM(t.duration / 60.0 * COALESCE(wc.costs_hour, 0))::numeric AS value
                  FROM orders o
                  JOIN mrp_workorder wo ON wo.production_id = o.id
                  JOIN mrp_workcenter wc ON wc.id = wo.workcenter_id
                  JOIN mrp_workcenter_productivity t ON t.workorder_id = wo.id
                 WHERE t.date_end <= %(end)s
                 GROUP BY 1
            ), output AS (
                SELECT sm.production_id, SUM(svl.value) AS value
                  FROM orders o
                  JOIN stock_move sm ON sm.production_id = o.id
                  JOIN stock_valuation_layer svl ON svl.stock_move_id = sm.id
                 WHERE svl.posting_date <= %(date_to)s
                 GROUP BY 1
            )
            SELECT o.product_id, o.categ_id, NULL AS entry_type, o.name AS production_name, o.id AS production_res_id,
                   c.value AS component_value, k.value AS capacity_value, p.value AS output_value,
                   COALESCE(c.value, 0) + COALESCE(k.value, 0) - COALESCE(p.value, 0) AS wip_value
              FROM orders o
              LEFT JOIN components c ON c.production_id = o.id
              LEFT JOIN capacity k ON k.production_id = o.id
              LEFT JOIN output p ON p.production_id = o.id
        """, filter=SQL(" AND ").join(conds), end=end, date_to=self.date_to, lot_cost=lot_cost,
            product_cost=product_cost)

    def _create_lines(self):
        """(Re)build the report lines with one INSERT ... SELECT; amounts rounded to the currency."""
        self.ensure_one()
        if self.report_type == "wip" and "mrp.production" not in self.env:
            raise UserError(_("Inventory Valuation - WIP values manufacturing orders: install Manufacturing "
                              "(mrp_account) first."))
        self.line_ids.unlink()
        query = {"valuation": self._valuation_sql, "cost_spec": self._cost_spec_sql,
                 "cost_shares": self._cost_shares_sql, "wip": self._wip_sql}[self.report_type]()
        digits = self.currency_id.decimal_places
        columns = REPORT_COLUMNS[self.report_type]
        keys = KEY_COLUMNS.get(self.report_type, [])
        values = [SQL("ROUND(COALESCE(q.%s, 0), %s)", SQL.identifier(column), digits) if column in VALUE_COLUMNS
                  else SQL("COALESCE(q.%s, 0)", SQL.identifier(column)) for column in columns]
        # same session as the reconciliation's aggregations (no JIT, enough work_mem)
        self.env["stock.valuation.layer"]._gl_set_session("analytical")
        self.env.flush_all()
        self.env.cr.execute(SQL("""
            INSERT INTO stock_inventory_valuation_line
                   (report_id, company_id, currency_id, product_id, categ_id, entry_type, %(columns)s,
                    create_uid, write_uid, create_date, write_date)
            SELECT %(report)s, %(company)s, %(currency)s, q.product_id, q.categ_id, q.entry_type, %(values)s,
                   %(uid)s, %(uid)s, now() at time zone 'UTC', now() at time zone 'UTC'
              FROM (%(query)s) q
             WHERE %(not_zero)s  -- BC skips items whose line is all zero
        """, columns=SQL(", ").join(SQL.identifier(c) for c in keys + columns), report=self.id,
            company=self.company_id.id, currency=self.currency_id.id, uid=self.env.uid, query=query,
            values=SQL(", ").join([SQL("q.%s", SQL.identifier(key)) for key in keys] + values),
            not_zero=SQL(" OR ").join(SQL("%s != 0", value) for value in values)))
        self.invalidate_recordset(["line_ids"])
        return self.line_ids

    # ------------------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------------------
    def action_open_lines(self):
        """Compute and open the lines as a list (export to XLSX) with a pivot view."""
        self.ensure_one()
        self._create_lines()
        return {
            "type": "ir.actions.act_window",
            "name": self.display_name,
            "res_model": "stock.inventory.valuation.line",
            "view_mode": "list,pivot",
            "views": [(self.env.ref("stock_account_gl_reconciliation.stock_inventory_valuation_line_%s_list"
                                    % self.report_type).id, "list"), (False, "pivot")],
            "domain": [("report_id", "=", self.id)],
            # the entry types (direct cost, landed cost...) as pivot columns where the report has them: no "None"
            # column elsewhere
            "context": {"search_default_group_categ": 1, "report_type": self.report_type,
                        "pivot_column_groupby": ["entry_type"] if self.report_type in ("cost_spec", "cost_shares")
                        else [],
                        **({"pivot_measures": WIP_COLUMNS} if self.report_type == "wip" else {})},
        }

    def action_print(self):
        """Compute the lines and print the QWeb PDF (lines grouped by product category)."""
        self.ensure_one()
        self._create_lines()
        return self.env.ref("stock_account_gl_reconciliation.action_report_inventory_valuation").report_action(
            self, config=False)

    def _pdf_columns(self):
        """[(line field, translated column label)] printed for this report type."""
        self.ensure_one()
        Line = self.env["stock.inventory.valuation.line"]
        if self.report_type == "cost_spec":
            return [("end_qty", _("Remaining Quantity")), ("end_value", _("Remaining Value"))]
        if self.report_type == "cost_shares":
            return [("decrease_qty", _("Quantity Sold")), ("decrease_value", _("Cost of Goods Sold"))]
        return [(name, Line._fields[name]._description_string(self.env)) for name in REPORT_COLUMNS[self.report_type]]

    def _lines_by_category(self):
        """[(category, lines, totals)] for the PDF, categories by name, lines by product."""
        self.ensure_one()
        groups = {}
        for line in self.line_ids.sorted(lambda line: (line.categ_id.complete_name or "", line.product_id.display_name,
                                                       line.entry_type or "", line.production_name or "")):
            groups.setdefault(line.categ_id, self.env["stock.inventory.valuation.line"])
            groups[line.categ_id] |= line
        columns = REPORT_COLUMNS[self.report_type]
        return [(categ, lines, {c: sum(lines.mapped(c)) for c in columns}) for categ, lines in groups.items()]

    def _grand_total(self):
        """{column: total of every line} for the PDF's last row (report's columns of ``REPORT_COLUMNS``)."""
        self.ensure_one()
        return {column: sum(self.line_ids.mapped(column)) for column in REPORT_COLUMNS[self.report_type]}


class StockInventoryValuationLine(models.TransientModel):
    """One line of a valuation report: a product (Inventory Valuation) or a product and entry type (Cost
    Spec., Cost Shares Breakdown). Quantities in the product's UoM, values in company currency."""

    _name = "stock.inventory.valuation.line"
    _description = "Inventory Valuation Report Line"
    _order = "categ_id, product_id, entry_type"

    report_id = fields.Many2one("stock.inventory.valuation.report", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    categ_id = fields.Many2one("product.category", "Product Category", readonly=True)
    uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    entry_type = fields.Selection(posting_plan.ENTRY_TYPES, readonly=True)
    start_qty = fields.Float("Quantity at Start", digits="Product Unit of Measure", readonly=True)
    start_value = fields.Monetary("Value at Start", readonly=True)
    increase_qty = fields.Float("Increases (Qty.)", digits="Product Unit of Measure", readonly=True)
    increase_value = fields.Monetary("Increases", readonly=True)
    decrease_qty = fields.Float("Decreases (Qty.)", digits="Product Unit of Measure", readonly=True)
    decrease_value = fields.Monetary("Decreases", readonly=True)
    end_qty = fields.Float("Quantity at End", digits="Product Unit of Measure", readonly=True)
    end_value = fields.Monetary("Value at End", readonly=True)
    cost_posted_to_gl = fields.Monetary("Cost Posted to G/L", readonly=True)
    # Inventory Valuation - WIP: the manufacturing order (no relation: the module does not depend on mrp)
    production_name = fields.Char("Manufacturing Order", readonly=True)
    production_res_id = fields.Integer("Manufacturing Order ID", readonly=True)
    component_value = fields.Monetary("Components", readonly=True,
                                      help="Components picked for the order, at their current cost")
    capacity_value = fields.Monetary("Capacity", readonly=True,
                                     help="Work order time logged, at the work centers' cost per hour")
    output_value = fields.Monetary("Output", readonly=True, help="Value of what the order already produced")
    wip_value = fields.Monetary("WIP Value", readonly=True, help="Components + capacity - output")

    def action_open_production(self):
        """Open the manufacturing order of an Inventory Valuation - WIP line."""
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "mrp.production", "res_id": self.production_res_id,
                "view_mode": "form", "views": [(False, "form")]}
