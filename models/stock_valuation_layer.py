import logging

import psycopg2.errors

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError
from odoo.tools import SQL, float_compare

from . import cost_adjustment, gl_sql, posting_plan

GL_STATES = [
    ("to_post", "Not Posted"),
    ("partial", "Partially Posted"),
    ("posted", "Posted"),
    ("not_to_post", "Not to Post"),
]
GL_ORIGINS = [
    ("move", "Stock Move"),
    ("price_diff", "Vendor Bill Price Difference"),
    ("landed_cost", "Landed Cost"),
    ("landed_cost_out", "Landed Cost (sold share)"),
    ("revaluation", "Revaluation"),
    ("price_change", "Standard Price Change"),
    ("category_switch", "Category / Valuation Change"),
    ("cost_adjustment", "Cost Adjustment"),
    ("transfer", "Transfer between Places"),
    ("other", "Other"),
]
_logger = logging.getLogger(__name__)

# SVL origins whose context key is read at creation (see create())
CONTEXT_ORIGIN = "gl_svl_origin"
# The G/L bookkeeping of a value entry (README, "Installing on an existing Odoo 18 database"): written only by the
# module's own jobs, which run as superuser (sudo); refused to every user, whatever their access rights to value
# entries, through the ORM and RPC. The posting date joins them once some cost is in the general ledger.
GL_BOOKKEEPING_FIELDS = frozenset([
    "cost_posted_to_gl", "gl_state", "gl_excluded", "gl_link_ids", "gl_valuation", "gl_categ_id", "gl_origin",
    "gl_counterpart_type", "gl_counterpart_account_id", "gl_expense_amount", "is_adjustment", "applies_to_id",
    "gl_cost_source_id", "gl_forward_quantity", "gl_location_quantity", "gl_transfer_pair_id", "gl_transfer_move_id",
])
# Transaction-local planner settings of the module's set-based work (``_gl_set_session``)
GL_SESSION_SETTINGS = {
    "batch": {"jit": "off", "random_page_cost": "1.1"},
    "analytical": {"jit": "off", "work_mem": "64MB"},
}
# A new value entry may say it comes from a category change: Odoo's own flows create those entries as the user,
# with the origin and counterpart type the module's hooks add to their values (product.py); no other origin.
GL_CREATION_FIELDS = frozenset(["gl_origin", "gl_counterpart_type"])


class StockValuationLayer(models.Model):
    """Value entries (BC table 5802) on top of Odoo's stock valuation layers.

    Every SVL gets a posting date, a document type (BC's item ledger entry type), an entry type, the
    internal location and warehouse its value sits in, and a watermark ``cost_posted_to_gl`` saying how
    much of ``value`` (company currency, signed) is already in the general ledger. Posting only ever
    posts ``value - cost_posted_to_gl``. The derived fields are filled by one set-based SQL statement
    (``_gl_fill_value_entry_fields``) used both at creation and by the install hook.
    """

    _inherit = "stock.valuation.layer"

    posting_date = fields.Date(
        readonly=True, copy=False,  # indexed with the company (init)
        help="Accounting date of the value entry: the stock move's done date (company time zone), the "
             "inventory accounting date, the bill date of a price difference, the landed-cost date or "
             "the revaluation date. The cost is posted to the general ledger on this date.")
    document_type = fields.Selection(
        posting_plan.DOCUMENT_TYPES, readonly=True,
        help="Business Central's item ledger entry type, derived from the stock move's locations.")
    entry_type = fields.Selection(
        posting_plan.ENTRY_TYPES, readonly=True,
        help="What created the value: direct cost, indirect cost (landed costs), variance, revaluation "
             "(revaluation wizard, standard price change) or rounding.")
    location_id = fields.Many2one(
        "stock.location", readonly=True, index="btree_not_null",
        help="Internal location the value sits in (the valued side of the stock move).")
    # stock_account's field is computed and labelled "Receipt WH": stored here, with the label of what it is
    warehouse_id = fields.Many2one(  # pylint: disable=attribute-string-redundant
        "stock.warehouse", "Warehouse", compute=False, search=False, store=True, readonly=True,
        index="btree_not_null")
    gl_location_quantity = fields.Float(
        "Location Quantity", digits="Product Unit of Measure", readonly=True,
        help="Transfer value entries: the quantity this entry moved into (positive) or out of (negative) its "
             "location. Their own quantity stays 0: Odoo's quantities, FIFO queue and average cost are company-wide.")
    gl_transfer_move_id = fields.Many2one(
        "stock.move", "Transferring Stock Move", readonly=True, index="btree_not_null",
        help="Transfer value entries: the stock move between places they record. Not the entry's stock move: "
             "Odoo's internal moves keep no value entry of their own.")
    gl_transfer_pair_id = fields.Many2one(
        "stock.valuation.layer", "Transfer Pair", readonly=True, index="btree_not_null",
        help="The other value entry of a transfer between places (minus at the source, plus at the destination).")
    cost_posted_to_gl = fields.Monetary(
        "Cost Posted to G/L", readonly=True, copy=False, default=0.0,
        help="How much of the value is in the general ledger (watermark). Posting posts the difference.")
    gl_state = fields.Selection(
        GL_STATES, "G/L Status", readonly=True, copy=False,  # the queue has a partial index (init)
        help="Not Posted / Partially Posted / Posted to the general ledger, or Not to Post (zero value, "
             "automated valuation without journal entry, before 'Post inventory cost from', continental "
             "dropship).")
    gl_excluded = fields.Boolean(
        "Excluded from G/L posting", readonly=True, copy=False,
        help="Technical: the batch job never posts this entry (see G/L Status).")
    gl_origin = fields.Selection(GL_ORIGINS, "Origin", readonly=True, copy=False)
    gl_counterpart_account_id = fields.Many2one(
        "account.account", "Counterpart Account", readonly=True, copy=False,
        help="Counterpart account chosen when the entry was created (revaluation wizard account, landed "
             "cost line account); the posting setup may still override it.")
    gl_categ_id = fields.Many2one(
        "product.category", "Posting Category", readonly=True, copy=False,
        help="The product's category when the value entry was created: its accounts and valuation apply to "
             "this entry even after the product moved to another category.")
    gl_valuation = fields.Selection(
        [("manual_periodic", "Manual"), ("real_time", "Automated")], "Valuation at Creation", readonly=True,
        copy=False, help="Inventory valuation of the entry's category when it was created: entries of automated "
                         "valuation are posted by Odoo, those of manual valuation by Post Inventory Cost to G/L.")
    gl_counterpart_type = fields.Selection(
        posting_plan.ACCOUNT_TYPES, "Counterpart Account Type", readonly=True,
        help="Account type of the non-inventory side, from the document type x entry type matrix.")
    gl_expense_amount = fields.Monetary(
        "Expensed from Interim Account", readonly=True, copy=False,
        help="Amount that Odoo's automated valuation moves from the interim account (stock input or output) to "
             "the expense account together with this entry: a vendor return valued below its purchase price, a "
             "negative-stock correction of a delivery already invoiced. Posted once, with the entry (debit "
             "expense > 0).")
    gl_link_ids = fields.One2many("stock.valuation.layer.gl.link", "svl_id", "G/L Links", readonly=True)
    is_adjustment = fields.Boolean(
        "Adjustment", readonly=True, copy=False,
        help="Created by cost adjustment: forwards a cost change of an inbound entry to an outbound one.")
    applies_to_id = fields.Many2one(
        "stock.valuation.layer", "Applies to", readonly=True, index="btree_not_null", copy=False,
        help="For adjustment entries: the outbound value entry whose cost is adjusted.")
    gl_cost_source_id = fields.Many2one(
        "stock.valuation.layer", "Forwarded Cost", readonly=True, index="btree_not_null", copy=False,
        help="For adjustment entries: the late cost (on an inbound entry) this adjustment forwards.")
    gl_forward_quantity = fields.Float(
        "Quantity to Forward To", digits="Product Unit of Measure", readonly=True, copy=False,
        help="For a cost added to an inbound entry after part of it was consumed (landed cost after a "
             "delivery): the consumed quantity it belongs to. Cost adjustment splits the value over the "
             "outbound entries that consumed that quantity.")

    gl_consumed_by_ids = fields.One2many(
        "stock.valuation.layer.application", "inbound_svl_id", "Consumed by", readonly=True,
        help="Outbound entries that took quantity from this inbound entry (FIFO applications).")
    gl_consumed_from_ids = fields.One2many(
        "stock.valuation.layer.application", "outbound_svl_id", "Consumed from", readonly=True,
        help="Inbound entries this outbound entry took its quantity from (FIFO applications).")

    gl_document = fields.Char(
        "Document", compute="_compute_gl_document",
        help="The document behind the value entry: its stock move's reference, else that of the entry it corrects "
             "or adjusts (a landed cost's share, a cost adjustment of a delivery), else its landed cost.")

    @api.depends("stock_move_id.reference", "stock_valuation_layer_id.stock_move_id.reference",
                 "applies_to_id.stock_move_id.reference", "stock_landed_cost_id.name",
                 "gl_cost_source_id.stock_landed_cost_id.name")
    def _compute_gl_document(self):
        for layer in self:
            layer.gl_document = (layer.reference or layer.stock_valuation_layer_id.reference
                                 or layer.applies_to_id.reference or layer.stock_landed_cost_id.name
                                 or layer.gl_cost_source_id.stock_landed_cost_id.name or False)

    @api.depends("gl_document", "product_id")
    def _compute_display_name(self):
        """``document - product`` (Odoo names a value entry by its product alone): what Applies To, Forwarded Cost
        and the applications show."""
        for layer in self:
            layer.display_name = " - ".join(filter(None, [layer.gl_document, layer.product_id.display_name]))

    def init(self):
        res = super().init()
        # the queue, the matrix and the valuation reports filter value entries by company and posting date
        tools.create_index(self.env.cr, "stock_valuation_layer_company_posting_date_index", self._table,
                           ["company_id", "posting_date"])
        # the posting queue (Not Posted, Partially Posted) by company and date: small, as most entries are posted or not
        # to post. Every index costs each value entry a write at back-fill and at posting (bench/README.md, posting), so
        # the low-cardinality fields (document type, entry type, origin, status) have none.
        tools.create_index(self.env.cr, "stock_valuation_layer_gl_queue_index", self._table,
                           ["company_id", "posting_date"], where="gl_state IN ('to_post', 'partial')")
        # value per counterpart type by index-only scan (reconciliation analysis)
        if not tools.index_exists(self.env.cr, "stock_valuation_layer_gl_type_value_index"):
            self.env.cr.execute(SQL("""CREATE INDEX stock_valuation_layer_gl_type_value_index ON stock_valuation_layer
                                   (company_id, gl_counterpart_type) INCLUDE (value)"""))
        return res

    # ------------------------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self._gl_check_bookkeeping_write(set().union(*(self._gl_bookkeeping_names(vals) for vals in vals_list)))
        ctx = self.env.context
        preset_date = ctx.get("force_period_date") or ctx.get("gl_posting_date")
        for vals in vals_list:
            if ctx.get(CONTEXT_ORIGIN) and not vals.get("gl_origin") and not vals.get("stock_move_id"):
                vals["gl_origin"] = ctx[CONTEXT_ORIGIN]
            if preset_date and not vals.get("posting_date"):
                vals["posting_date"] = preset_date
            if ctx.get("gl_counterpart_account_id") and not vals.get("gl_counterpart_account_id"):
                vals["gl_counterpart_account_id"] = ctx["gl_counterpart_account_id"]
        layers = super().create(vals_list)
        layers._gl_fill_value_entry_fields()
        if not ctx.get("gl_cost_adjusting"):
            layers.sudo()._gl_after_create()
        return layers

    @api.model
    def _gl_bookkeeping_names(self, vals):
        """The field names of creation values ``vals`` that a user may not set: all of them, except the origin and
        counterpart type of a category change (``GL_CREATION_FIELDS``)."""
        if (vals.get("gl_origin", "category_switch") == "category_switch"
                and vals.get("gl_counterpart_type", "stock_input") in ("stock_input", "stock_output")):
            return set(vals) - GL_CREATION_FIELDS
        return set(vals)

    def write(self, vals):
        if not self.env.su:
            self._gl_check_bookkeeping_write(set(vals))
        return super().write(vals)

    def _gl_check_bookkeeping_write(self, names):
        """Refuse a user's write (or creation) of the G/L bookkeeping ``names`` of value entries ``self``
        (``GL_BOOKKEEPING_FIELDS``): cost posted to G/L, G/L status, links, valuation and accounts at creation,
        adjustment fields, and the posting date of an entry with cost in the general ledger. The module's jobs write
        them as superuser; Odoo's own flows never write them.

        :raises AccessError: naming the fields, the first value entries and what to do instead
        """
        refused = set(names) & GL_BOOKKEEPING_FIELDS
        if "posting_date" in names and self.filtered(lambda layer: layer.gl_state in ("posted", "partial")):
            refused.add("posting_date")
        if not refused:
            return
        labels = sorted(self._fields[name].get_description(self.env)["string"] for name in refused)
        raise AccessError(_(
            "The G/L bookkeeping of value entries (%(fields)s) is written only by Post Inventory Cost to G/L and "
            "Adjust Cost – Item Entries (value entries: %(entries)s). To change a posted cost, revalue the stock "
            "or post a journal entry; to move entries in or out of the queue, change 'Post Inventory Cost From' "
            "in the settings.",
            fields=", ".join(labels), entries=", ".join(str(i) for i in self.ids[:5]) or _("new")))

    # ------------------------------------------------------------------------------------------------
    # Cost adjustment bookkeeping at creation (applications, vacuum corrections, "cost is adjusted")
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _gl_pending_fifo(self):
        """Takes of ``product.product._run_fifo`` waiting for their outbound layer, per cursor:
        ``{(product id, company id, lot id): [(quantity, [(candidate id, quantity taken)])]}``."""
        cache = self.env.cr.cache
        if "gl_pending_fifo" not in cache:
            cache["gl_pending_fifo"] = {}
            self.env.cr.postrollback.add(lambda: cache.pop("gl_pending_fifo", None))
        return cache["gl_pending_fifo"]

    def _gl_after_create(self):
        self._gl_record_pending_applications()
        self._gl_label_vacuum_corrections()
        self._gl_record_return_price_differences()
        self._gl_flag_average_cost()
        self._gl_flag_places()

    def _gl_flag_places(self):
        """Mark products whose new receipt or delivery may leave their places off the location invariant
        ("cost is adjusted" = false; Adjust Cost rebalances them, ``stock.cost.adjust.engine._rebalance_places``):
        a product with value entries in another warehouse (or, when a posting setup row gives a location its own
        inventory account, in another location), where Odoo's company-wide FIFO or average can take the cost of
        goods received elsewhere. Manual categories only: in automated ones Odoo posts every entry
        itself, on the category's valuation account."""
        moving = self.filtered(lambda layer: layer.quantity and not layer.is_adjustment and layer.warehouse_id
                               and layer.gl_valuation == "manual_periodic")
        if not moving:
            return
        rows = self.env.execute_query(SQL("""
            SELECT n.company_id, n.product_id, MIN(n.posting_date)
              FROM stock_valuation_layer n
             WHERE n.id = ANY(%s)
               AND EXISTS (SELECT 1 FROM stock_valuation_layer o
                            WHERE o.product_id = n.product_id AND o.company_id = n.company_id
                              AND ((o.warehouse_id IS NOT NULL AND o.warehouse_id != n.warehouse_id)
                                   -- a location's own inventory account makes a place within a warehouse
                                   OR (o.location_id != n.location_id AND EXISTS (
                                        SELECT 1 FROM stock_posting_setup s
                                         WHERE s.company_id = n.company_id AND s.active AND s.location_id IS NOT NULL
                                           AND s.inventory_account_id IS NOT NULL))))
             GROUP BY n.company_id, n.product_id""", moving.ids))
        for company_id, product_id, event_date in rows:
            self.env["product.product"].browse(product_id)._gl_flag_cost_not_adjusted(
                self.env["res.company"].browse(company_id), event_date)

    def _gl_record_pending_applications(self):
        """Write the applications of new outbound layers from the takes ``_run_fifo`` left pending."""
        pending = self._gl_pending_fifo()
        if not pending:
            return
        rows = []
        for layer in self.filtered(lambda layer: layer.quantity < 0 and not layer.stock_valuation_layer_id):
            queue = pending.get((layer.product_id.id, layer.company_id.id, layer.lot_id.id or False))
            if not queue:
                continue
            rounding = layer.product_id.uom_id.rounding
            for index, (quantity, taken) in enumerate(queue):
                if float_compare(quantity, -layer.quantity, precision_rounding=rounding) == 0:
                    queue.pop(index)
                    rows += [(cand, layer.id, qty, layer.product_id.id, layer.company_id.id) for cand, qty in taken]
                    break
        self.env["stock.valuation.layer.application"]._gl_record(rows)

    def _gl_label_vacuum_corrections(self):
        """Odoo's negative-stock vacuum writes a value-only child of the negative outbound layer: it is an
        adjustment of that outbound entry (BC: dated like it). Manual categories date it like the outbound
        entry, or the first open date when that is locked; real-time ones keep the date of Odoo's own
        journal entry (today)."""
        corrections = self.filtered(lambda layer: not layer.quantity and layer.stock_valuation_layer_id.quantity < 0
                                    and not layer.applies_to_id and not layer.stock_landed_cost_id)
        if not corrections:
            return
        today = fields.Date.context_today(self)
        lock_cache = {}
        for layer in corrections:
            parent = layer.stock_valuation_layer_id
            vals = {"is_adjustment": True, "applies_to_id": parent.id, "entry_type": parent.entry_type}
            if layer.product_id.with_company(layer.company_id).valuation == "real_time":
                vals["posting_date"] = self.env.context.get("force_period_date") or today
            else:
                vals["posting_date"] = layer.company_id._gl_first_open_date(parent.posting_date, lock_cache)
                if parent._gl_delivery_already_matched():
                    # stock_account product._create_fifo_vacuum_anglo_saxon_expense_entries: the correction
                    # of a delivery already invoiced goes on from stock output to the expense account
                    vals["gl_expense_amount"] = -layer.value
            layer.write(vals)
        corrections._gl_fill_value_entry_fields()

    def _gl_delivery_already_matched(self):
        """Whether Odoo's automated valuation would have found the journal items of this outbound entry
        reconciled with another document's when a later receipt corrects its cost (the condition of
        ``product._create_fifo_vacuum_anglo_saxon_expense_entries``), for a manual category: an Anglo-Saxon
        delivery with a value, a reconcilable stock output account and either a posted invoice carrying
        the product on that account or a done return."""
        self.ensure_one()
        move = self.stock_move_id
        company = self.company_id
        if not (move and company.anglo_saxon_accounting and move._is_out()
                and not self.currency_id.is_zero(self.value)):
            return False
        product = self.product_id.with_company(company)
        output = product.product_tmpl_id.get_product_accounts()["stock_output"]
        if not output or not output.reconcile:
            return False
        if move.returned_move_ids.filtered(lambda m: m.state == "done"):
            return True
        invoices = move._get_related_invoices().filtered(lambda m: m.state == "posted")
        return bool(invoices.line_ids.filtered(lambda line: line.product_id == product and line.account_id == output))

    def _gl_record_return_price_differences(self):
        """Manual categories: the expense transfer Odoo's automated valuation posts beside a vendor return
        valued at another price than its purchase, or the receipt again of goods returned to the vendor
        (purchase_stock ``stock.move._account_entry_move``: Dr stock input / Cr expense for (value per unit
        of the return - value per unit of the returned receipt) x quantity, unless the bill already made
        a price difference). Stored on the value entry, posted with it."""
        for layer in self.filtered(lambda layer: layer.quantity and layer.stock_move_id.purchase_line_id
                                   and layer.stock_move_id.origin_returned_move_id
                                   and layer.gl_valuation == "manual_periodic"
                                   and not layer.currency_id.is_zero(layer.value)):
            move = layer.stock_move_id
            returned_move = move.origin_returned_move_id
            if (move | returned_move).stock_valuation_layer_ids.stock_valuation_layer_ids.account_move_line_id:
                continue
            returned_layer = returned_move.stock_valuation_layer_ids.filtered(
                lambda layer: not layer.stock_valuation_layer_id)[:1]
            if move._is_out() and move._is_returned(valued_type="out"):
                unit_diff = (layer._get_layer_price_unit() - returned_layer._get_layer_price_unit()
                             if returned_layer else 0)
            elif returned_move._is_out() and returned_move._is_returned(valued_type="out"):
                unit_diff = returned_layer._get_layer_price_unit() - move.purchase_line_id._get_gross_price_unit()
            else:
                continue
            diff = layer.company_id.currency_id.round(unit_diff * layer.quantity)
            if diff:
                layer.gl_expense_amount = -diff

    def _gl_flag_average_cost(self):
        """Mark average-cost products whose new entries change a period average an outbound entry was
        already valued with ("cost is adjusted" = false), then let automatic cost adjustment run.

        A new inbound or value-only entry flags when an outbound entry exists in its valuation period or
        later (value-only children of a receipt are valued on the receipt's date, as BC item charges); a
        new outbound entry flags when inbound entries exist in later periods (back-dated delivery)."""
        # a transfer between places nets out for the product: it changes no average
        adjustable = self.filtered(lambda layer: not layer.is_adjustment and not layer.applies_to_id
                                   and layer.gl_origin != "transfer")
        for company in adjustable.company_id:
            period = company.gl_average_cost_period
            if not cost_adjustment.is_periodic_average(period):
                continue  # Odoo's running average: nothing an outbound entry carries goes stale
            Categ = self.env["product.category"].sudo().with_company(company)
            cost_method = Categ._field_to_sql("pc", "property_cost_method")
            rows = self.env.execute_query(SQL("""
                SELECT n.product_id, MIN(COALESCE(parent.posting_date, n.posting_date))
                  FROM stock_valuation_layer n
                  JOIN product_product pp ON pp.id = n.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                  LEFT JOIN product_category pc ON pc.id = pt.categ_id
                  LEFT JOIN stock_valuation_layer parent ON parent.id = n.stock_valuation_layer_id
                 WHERE n.id = ANY(%(ids)s) AND n.company_id = %(company)s AND %(cost_method)s = 'average'
                   AND (parent.id IS NULL OR parent.quantity >= 0)
                   AND EXISTS (
                        SELECT 1 FROM stock_valuation_layer o
                         WHERE o.product_id = n.product_id AND o.company_id = n.company_id
                           AND NOT (o.id = ANY(%(ids)s)) AND o.applies_to_id IS NULL
                           AND CASE WHEN n.quantity >= 0
                                    THEN o.quantity < 0 AND o.posting_date >= date_trunc(%(period)s,
                                         COALESCE(parent.posting_date, n.posting_date))::date
                                    ELSE o.quantity >= 0 AND o.posting_date >= (date_trunc(%(period)s, n.posting_date)
                                         + ('1 ' || %(period)s)::interval)::date END)
                 GROUP BY n.product_id
            """, ids=adjustable.ids, company=company.id, cost_method=cost_method, period=period))
            if rows:
                products = self.env["product.product"].browse([r[0] for r in rows])
                products._gl_flag_cost_not_adjusted(company, min(r[1] for r in rows))

    @api.model
    def _gl_create_transfer_pairs(self, vals_list):
        """Create transfer value entries from ``vals_list`` (the values of the minus leg, then of its plus leg,
        pair after pair; field names of this model, as for ``create``) in one INSERT, each leg linked to the other
        (``gl_transfer_pair_id``), then derive their G/L fields (``_gl_fill_value_entry_fields``, one UPDATE per
        company). The plus leg, created second (the higher id), carries the pair's posting
        (``stock.inventory.cost.planner._plan_transfer``). Set-based: a 1,000-line internal picking is one INSERT
        (the ORM would split it in batches of 100 and recompute per record what the UPDATE derives at once). The
        legs have no quantity: none of ``create``'s follow-ups on receipts and deliveries (``_gl_after_create``)
        applies to them. Returns the created entries, in the order of ``vals_list``."""
        if not vals_list:
            return self.browse()
        if len(vals_list) % 2:
            raise ValueError("transfer value entries come in pairs")
        self.env.flush_all()
        ids = sorted(row[0] for row in self.env.execute_query(SQL(
            "SELECT nextval(pg_get_serial_sequence('stock_valuation_layer', 'id')) FROM generate_series(1, %s)",
            len(vals_list))))
        names = sorted(set().union(*vals_list) - {"id", "gl_transfer_pair_id", "categ_id"})
        arrays = [SQL("%s::int4[]", ids), SQL("%s::int4[]", [ids[i + 1 if i % 2 == 0 else i - 1]
                                                              for i in range(len(ids))])]
        for name in names:
            field = self._fields[name]
            if not field.store or not field.column_type:
                raise ValueError("%s is not a column of the value entries" % name)
            values = [vals.get(name) for vals in vals_list]
            if field.type != "boolean":
                values = [None if value is False else value for value in values]
            arrays.append(SQL("%s::%s[]", values, SQL(field.column_type[1])))
        columns = [SQL.identifier(name) for name in names]
        self.env.cr.execute(SQL("""
            INSERT INTO stock_valuation_layer (id, gl_transfer_pair_id, categ_id, cost_posted_to_gl,
                                               create_uid, write_uid, create_date, write_date, %(columns)s)
            SELECT t.id, t.pair_id, pt.categ_id, 0, %(uid)s, %(uid)s, now() at time zone 'UTC',
                   now() at time zone 'UTC', %(values)s
              FROM unnest(%(arrays)s) AS t(id, pair_id, %(columns)s)
              JOIN product_product pp ON pp.id = t.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
        """, columns=SQL(", ").join(columns), uid=self.env.uid, arrays=SQL(", ").join(arrays),
            values=SQL(", ").join(SQL("t.%s", column) for column in columns)))
        created = self.browse(ids)
        created._gl_fill_value_entry_fields()
        return created

    # ------------------------------------------------------------------------------------------------
    # Set-based derivation (creation and install hook share it)
    # ------------------------------------------------------------------------------------------------
    def _gl_fill_value_entry_fields(self, all_records=False, companies=None, states=None):
        """Derive posting date, document/entry type, location, warehouse, origin, counterpart type and
        exclusion, and ``gl_state``, for ``self`` (or, with ``all_records``, every SVL of ``companies``, all
        companies when None, those in G/L status ``states`` when given) in one UPDATE per company. Values
        already set (context-provided dates, origins) are kept.

        Rules (README, "Value entries"): supplier ↔ internal = purchase, customer ↔ internal = sale, inventory
        location = positive/negative adjustment, transit = transfer, production = consumption/output,
        dropship legs by sign; landed costs are indirect cost, revaluations and price changes are
        revaluation. Entries of automated (real-time) categories, dated before the company's "Post
        inventory cost from" date, or continental dropships are excluded from batch posting.
        """
        if not all_records and not self:
            return
        self.env.flush_all()
        if not all_records:
            companies = self.sudo().company_id
        elif companies is None:
            companies = self.env["res.company"].sudo().search([])
        for company in companies:
            self._gl_fill_value_entry_fields_company(company, all_records, states)
        self._gl_invalidate_derived()

    def _gl_fill_value_entry_fields_company(self, company, all_records, states=None):
        """One UPDATE for the SVLs of ``company`` (see ``_gl_fill_value_entry_fields``). The category's
        company-dependent valuation is read with ``_field_to_sql`` so ``ir.default`` fallbacks count."""
        Categ = self.env["product.category"].sudo().with_company(company)
        valuation = Categ._field_to_sql("pc", "property_valuation")
        vs, vd = gl_sql.valued_usage("ls"), gl_sql.valued_usage("ld")
        doc_type = SQL("""CASE
            WHEN sm.id IS NULL THEN (CASE WHEN svl.value < 0 OR svl.quantity < 0
                                          THEN 'negative_adjmt' ELSE 'positive_adjmt' END)
            WHEN NOT %(vs)s AND NOT %(vd)s AND ls.usage IN ('supplier', 'customer')
                 AND ld.usage IN ('supplier', 'customer')
                 THEN (CASE WHEN (svl.quantity > 0 OR (svl.quantity = 0 AND svl.value >= 0))
                                 = (ls.usage = 'supplier') THEN 'purchase' ELSE 'sale' END)
            WHEN ls.usage = 'supplier' OR ld.usage = 'supplier' THEN 'purchase'
            WHEN ls.usage = 'customer' OR ld.usage = 'customer' THEN 'sale'
            WHEN ls.usage = 'production' THEN 'output'
            WHEN ld.usage = 'production' THEN 'consumption'
            WHEN ls.usage = 'inventory' THEN 'positive_adjmt'
            WHEN ld.usage = 'inventory' THEN 'negative_adjmt'
            WHEN ls.usage = 'transit' OR ld.usage = 'transit' THEN 'transfer'
            WHEN svl.value < 0 OR svl.quantity < 0 THEN 'negative_adjmt'
            ELSE 'positive_adjmt' END""", vs=vs, vd=vd)
        origin = SQL("""COALESCE(svl.gl_origin, CASE
            WHEN svl.stock_landed_cost_id IS NOT NULL THEN 'landed_cost'
            WHEN svl.account_move_line_id IS NOT NULL THEN 'price_diff'
            WHEN sm.id IS NOT NULL THEN 'move' ELSE 'other' END)""")
        entry_type = SQL("""COALESCE(svl.entry_type, CASE
            WHEN svl.stock_landed_cost_id IS NOT NULL OR svl.gl_origin = 'landed_cost_out' THEN 'indirect_cost'
            WHEN svl.gl_origin IN ('revaluation', 'price_change') THEN 'revaluation'
            ELSE 'direct_cost' END)""")
        counterpart = gl_sql.counterpart_account_type(SQL("d.document_type"), SQL("d.entry_type"), SQL("d.gl_origin"),
                                                      SQL("svl.gl_counterpart_type"))
        where = SQL(" AND ").join([
            SQL("svl.company_id = %s", company.id),
            *([] if all_records else [SQL("svl.id = ANY(%s)", self.ids)]),
            *([SQL("svl.gl_state = ANY(%s)", list(states))] if states else []),
        ])
        # history before "Post Inventory Cost From" is excluded whatever journal entry it carries (a vendor bill, a
        # landed-cost entry of other products): what Odoo did post to stock accounts is linked and posted anyway
        excluded = SQL("""((d.post_from IS NOT NULL AND d.posting_date < d.post_from)
                      OR (d.gl_origin = 'transfer' AND svl.gl_counterpart_account_id IS NULL)
                      OR (svl.account_move_id IS NULL AND (
                        (d.valuation = 'real_time' AND d.gl_origin != 'cost_adjustment')
                        OR (d.is_dropship AND NOT COALESCE(d.anglo_saxon, FALSE)))))""")
        # the G/L status in the same UPDATE: each value entry row is rewritten once
        state = gl_sql.gl_state(SQL("svl.value"), SQL("COALESCE(svl.cost_posted_to_gl, 0)"), excluded,
                                SQL("%s", company.currency_id.decimal_places))
        self.env.cr.execute(SQL("""
            WITH base AS (
                SELECT svl.id,
                       COALESCE(svl.posting_date, aml.date, lc.date,
                                (timezone(COALESCE(NULLIF(cp.tz, ''), 'UTC'), timezone('UTC', sm.date)))::date,
                                (timezone(COALESCE(NULLIF(cp.tz, ''), 'UTC'), timezone('UTC', svl.create_date)))::date
                       ) AS posting_date,
                       COALESCE(svl.document_type, %(doc_type)s) AS document_type,
                       %(entry_type)s AS entry_type,
                       %(origin)s AS gl_origin,
                       COALESCE(svl.location_id, CASE WHEN %(vd)s THEN ld.id WHEN %(vs)s THEN ls.id END,
                                parent.location_id, applied.location_id) AS location_id,
                       %(dropship)s AS is_dropship,
                       pc.id AS categ_id,
                       COALESCE(svl.gl_valuation, %(valuation)s, 'manual_periodic') AS valuation,
                       c.gl_post_cost_from AS post_from,
                       c.anglo_saxon_accounting AS anglo_saxon
                  FROM stock_valuation_layer svl
                  JOIN res_company c ON c.id = svl.company_id
                  JOIN res_partner cp ON cp.id = c.partner_id
                  %(product_category)s
                  %(effective_move)s
                  LEFT JOIN account_move_line aml ON aml.id = svl.account_move_line_id
                  LEFT JOIN stock_landed_cost lc ON lc.id = svl.stock_landed_cost_id
                 WHERE %(where)s
            ), d AS (
                SELECT base.*, loc.warehouse_id
                  FROM base LEFT JOIN stock_location loc ON loc.id = base.location_id
            )
            UPDATE stock_valuation_layer svl
               SET posting_date = d.posting_date,
                   document_type = d.document_type,
                   entry_type = d.entry_type,
                   gl_origin = d.gl_origin,
                   location_id = d.location_id,
                   warehouse_id = d.warehouse_id,
                   gl_categ_id = d.categ_id,
                   gl_valuation = d.valuation,
                   gl_counterpart_type = %(counterpart)s,
                   gl_excluded = %(excluded)s,
                   gl_state = %(state)s
              FROM d
             WHERE svl.id = d.id
        """, doc_type=doc_type, entry_type=entry_type, origin=origin, vs=vs, vd=vd, dropship=gl_sql.dropship(),
            valuation=valuation, product_category=gl_sql.product_category_join(),
            effective_move=gl_sql.effective_move_joins(), where=where, counterpart=counterpart, excluded=excluded,
            state=state))

    @api.model
    def _gl_set_session(self, kind, parallel=True):
        """Planner settings for this transaction's set-based work (``SET LOCAL``: reset at its end), then fresh
        statistics where they lag (``_gl_refresh_stale_statistics``). ``kind`` (``GL_SESSION_SETTINGS``):

        - ``"batch"`` (posting, test report, cost adjustment, install back-fill): no JIT (compiling the large
          statements costs seconds and gains nothing) and ``random_page_cost = 1.1``: the jobs read the value
          entries they work on by primary key (tens of thousands per statement); with PostgreSQL's default of 4
          (spinning disks) the planner hashes the whole value-entry table instead, seconds per statement on
          millions of rows;
        - ``"analytical"`` (the reconciliation, its pivot, the valuation reports): no JIT (compiling costs more
          than these sub-second queries gain) and enough ``work_mem`` to hash-aggregate instead of sorting on
          disk.

        ``parallel`` False: no parallel workers either; the pivot sends its grouped reads four at a time, and on
        a small machine parallel workers per read then only compete for the same cores (measured on 2 cores:
        2.9 s with, 2.2 s without).
        """
        settings = dict(GL_SESSION_SETTINGS[kind], **({} if parallel else {"max_parallel_workers_per_gather": "0"}))
        for name, value in settings.items():
            self.env.cr.execute(SQL("SELECT set_config(%s, %s, true)", name, value))
        self._gl_refresh_stale_statistics()

    @api.model
    def _gl_refresh_stale_statistics(self):
        """ANALYZE the value-entry tables whose planner statistics lag far behind their rows: more rows
        changed since the last ANALYZE than a tenth of what the statistics count, plus 1,000 (a bulk import, an
        install over history, a large posting, committed before autovacuum came by). With such statistics the
        planner believes a filter returns one row and picks nested loops that rescan tables (minutes instead of
        a fraction of a second); ANALYZE samples at most 30,000 rows (well under a second) and its statistics
        serve this transaction at once. Called by the batch jobs and the reports before their statements; not
        in a read-only transaction (Odoo's read-only requests, e.g. the pivot's grouped reads), where ANALYZE
        is refused."""
        rows = self.env.execute_query(SQL("""
            SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
             WHERE s.relname = ANY(%s) AND s.n_mod_since_analyze > GREATEST(c.reltuples, 0) / 10 + 1000
               AND current_setting('transaction_read_only') = 'off'
             ORDER BY s.relname""",
            ["stock_valuation_layer", "stock_valuation_layer_application", "stock_valuation_layer_gl_link"]))
        for (table,) in rows:
            # SKIP_LOCKED: never wait for another transaction analysing the same table (the lock is held to commit)
            _logger.info("ANALYZE %s: its planner statistics were stale", table)
            self.env.cr.execute(SQL("ANALYZE (SKIP_LOCKED) %s", SQL.identifier(table)))

    @api.model
    def _gl_lock_rows(self, query, count, what):
        """Run the row-lock ``query`` (``odoo.tools.SQL``) of a batch job over ``count`` rows of ``what``.
        Under Odoo's REPEATABLE READ isolation, rows a transaction committed after this one's snapshot raise a
        serialization failure, which Odoo retries on a fresh snapshot: it is logged as one line with the
        count (not Odoo's ERROR "bad query" with every id of the statement) and raised again for that retry."""
        try:
            self.env.cr.execute(query, log_exceptions=False)
        except psycopg2.errors.SerializationFailure:
            _logger.info("%d %s changed by a concurrent transaction: retried on a fresh snapshot", count, what)
            raise

    def _gl_invalidate_derived(self):
        self.invalidate_model(["posting_date", "document_type", "entry_type", "gl_origin", "location_id",
                               "warehouse_id", "gl_categ_id", "gl_valuation", "gl_counterpart_type",
                               "gl_excluded", "gl_state", "cost_posted_to_gl"])

    @api.model
    def _gl_add_posted(self, amounts):
        """Raise the watermarks: ``cost_posted_to_gl += amount`` for ``amounts`` ({svl id: amount in
        company currency, signed like the value}) and set ``gl_state`` accordingly, in one UPDATE (each
        value entry row is rewritten once)."""
        if not amounts:
            return
        posted = SQL("(COALESCE(svl.cost_posted_to_gl, 0) + d.amount)")
        state = gl_sql.gl_state(SQL("svl.value"), posted, SQL("svl.gl_excluded"), SQL("cur.decimal_places"))
        # the value entries are looked up by id (nested loop on the primary key): a join of the id list
        # with the table itself gets planned as a hash of the whole table
        self.env.cr.execute(SQL("""
            UPDATE stock_valuation_layer svl
               SET cost_posted_to_gl = %s, gl_state = %s
              FROM unnest(%s::int[], %s::numeric[]) AS d(id, amount), res_company c, res_currency cur
             WHERE svl.id = d.id AND c.id = svl.company_id AND cur.id = c.currency_id
        """, posted, state, list(amounts), list(amounts.values())))
        self._gl_invalidate_derived()

    @api.model
    def _gl_sync_native_postings(self, company_ids=None, svl_ids=None):
        """Link the journal entries Odoo's real-time valuation posted (``account_move_id``) to their value
        entries: G/L link rows per journal item (amount split by the SVLs' share of the entry) and
        ``cost_posted_to_gl = value``. Set-based and idempotent: only SVLs without any link are touched.
        """
        self.env.flush_all()
        domain = [("account_move_id", "!=", False)]
        if company_ids:
            domain.append(("company_id", "in", list(company_ids)))
        if svl_ids:
            domain.append(("id", "in", list(svl_ids)))
        Company = self.env["res.company"].sudo()
        companies = self.sudo().search(domain).company_id if svl_ids else (
            Company.browse(company_ids) if company_ids else Company.search([]))
        ids = []
        for company in companies:
            ids += self._gl_sync_native_postings_company(company, svl_ids)
        if ids:  # cost posted and status were set by the same UPDATE
            self._gl_invalidate_derived()
            self.env["stock.valuation.layer.gl.link"].invalidate_model()
        return ids

    @api.model
    def _gl_link_expense_entries(self, journal_entries):
        """Odoo's automated valuation posts, beside some stock moves, a journal entry with no value entry of its
        own that moves an amount between the interim account and the expense account: purchase_stock's
        price difference of a vendor return (``stock.move._account_entry_move``) and the expense entry of
        a negative-stock correction of an invoiced delivery (``_create_fifo_vacuum_anglo_saxon_expense_entries``).
        Record that amount on the stock move's last value entry (``gl_expense_amount``, debit expense > 0) and
        link the entry's journal items to it (expense account: ``cogs``; the other: the entry's counterpart
        type), so that the reconciliation projects and finds it like the module's own postings."""
        Link = self.env["stock.valuation.layer.gl.link"]
        for journal_entry in journal_entries:
            # the value entry of the stock move whose expense is not linked yet: the correction of a delivery
            # (value only) before the delivery itself; the entries of a move, in order
            layers = self.search([("stock_move_id", "=", journal_entry.stock_move_id.id)], order="id").filtered(
                lambda layer: not layer.gl_link_ids.filtered(lambda link: link.account_type == "cogs"))
            layer = (layers.filtered(lambda layer: not layer.quantity) or layers)[:1]
            if not layer:
                continue
            product = layer.product_id.with_company(layer.company_id)
            expense = self.env["stock.inventory.cost.planner"]._product_accounts(
                product, {}, layer.gl_categ_id or product.categ_id)["expense"]
            lines = journal_entry.line_ids
            expense_lines = lines.filtered(lambda line: line.account_id == expense)
            if not expense_lines or len(lines) != 2:
                continue
            amount = layer.currency_id.round(sum(expense_lines.mapped("balance")))
            layer.gl_expense_amount = amount
            Link.create([{"svl_id": layer.id, "move_line_id": line.id, "amount": line.balance,
                          "company_id": layer.company_id.id,
                          "account_type": "cogs" if line in expense_lines else layer.gl_counterpart_type}
                         for line in lines])

    @api.model
    def _gl_sync_native_postings_company(self, company, svl_ids=None):
        """The INSERT ... SELECT of ``_gl_sync_native_postings`` for one company. A journal item feeds the
        value entries of its own product (items without product: all entries of the journal entry), in
        proportion to their absolute value: a landed-cost entry mixing products links each layer to its
        own lines only."""
        counterpart = gl_sql.counterpart_account_type(SQL("svl.document_type"), SQL("svl.entry_type"),
                                                      SQL("svl.gl_origin"), SQL("svl.gl_counterpart_type"))
        Categ = self.env["product.category"].sudo().with_company(company)
        # Only stock journal entries: a manual price-difference SVL keeps the vendor bill as account_move_id.
        conds = [SQL("svl.company_id = %s", company.id), SQL("svl.account_move_id IS NOT NULL"),
                 SQL("am.state = 'posted'"), SQL("am.move_type = 'entry'"),
                 SQL("NOT EXISTS (SELECT 1 FROM stock_valuation_layer_gl_link l WHERE l.svl_id = svl.id)")]
        if svl_ids:
            conds.append(SQL("svl.id = ANY(%s)", list(svl_ids)))
        state = gl_sql.gl_state(SQL("svl.value"), SQL("svl.value"), SQL("FALSE"),
                                SQL("%s", company.currency_id.decimal_places))
        rows = self.env.execute_query(SQL("""
            WITH todo AS (
                SELECT svl.id, svl.account_move_id, svl.product_id, svl.value, svl.company_id,
                       COALESCE(%(val_account)s, 0) AS val_account,
                       COALESCE(%(out_account)s, 0) AS out_account,
                       COALESCE(%(expense_account)s, 0) AS expense_account,
                       %(counterpart)s AS counterpart_type
                  FROM stock_valuation_layer svl
                  JOIN account_move am ON am.id = svl.account_move_id
                  %(product_category)s
                 WHERE %(where)s
            ), share AS (
                SELECT t.id, t.account_move_id, t.product_id, t.company_id, t.val_account, t.out_account,
                       t.expense_account, t.counterpart_type,
                       COALESCE(ABS(t.value) / NULLIF(SUM(ABS(o.value)) FILTER (WHERE o.product_id = t.product_id), 0),
                                1)
                           AS ratio_product,
                       COALESCE(ABS(t.value) / NULLIF(SUM(ABS(o.value)), 0), 1) AS ratio_all
                  FROM todo t
                  JOIN stock_valuation_layer o ON o.account_move_id = t.account_move_id
                 GROUP BY t.id, t.account_move_id, t.product_id, t.value, t.company_id, t.val_account,
                          t.out_account, t.expense_account, t.counterpart_type
            ), links AS (
                INSERT INTO stock_valuation_layer_gl_link
                       (svl_id, move_line_id, account_id, account_type, amount, company_id, lock_date_moved)
                SELECT s.id, aml.id, aml.account_id,
                       CASE WHEN aml.account_id = s.val_account THEN 'inventory'
                            -- Odoo's landed-cost entry also moves the sold share to stock output and on to
                            -- the expense account (stock_landed_costs _create_account_move_line)
                            WHEN s.counterpart_type = 'overhead_applied' AND aml.account_id = s.out_account
                                 THEN 'stock_output'
                            WHEN s.counterpart_type = 'overhead_applied' AND aml.account_id = s.expense_account
                                 THEN 'cogs'
                            ELSE s.counterpart_type END,
                       ROUND(aml.balance * CASE WHEN aml.product_id IS NULL THEN s.ratio_all ELSE s.ratio_product END,
                             cur.decimal_places),
                       s.company_id, FALSE
                  FROM share s
                  JOIN account_move_line aml ON aml.move_id = s.account_move_id
                       AND (aml.product_id IS NULL OR aml.product_id = s.product_id)
                  JOIN res_company c ON c.id = s.company_id
                  JOIN res_currency cur ON cur.id = c.currency_id
                RETURNING svl_id, move_line_id
            ), flagged AS (
                UPDATE account_move_line aml SET gl_linked = TRUE
                  FROM (SELECT DISTINCT move_line_id FROM links) f
                 WHERE aml.id = f.move_line_id
            )
            UPDATE stock_valuation_layer svl
               SET cost_posted_to_gl = svl.value, gl_excluded = FALSE, gl_state = %(state)s
              FROM (SELECT DISTINCT svl_id FROM links) l
             WHERE svl.id = l.svl_id
            RETURNING svl.id
        """, counterpart=counterpart, product_category=gl_sql.product_category_join(), where=SQL(" AND ").join(conds),
            state=state, val_account=Categ._field_to_sql("pc", "property_stock_valuation_account_id"),
            out_account=Categ._field_to_sql("pc", "property_stock_account_output_categ_id"),
            expense_account=Categ._field_to_sql("pc", "property_account_expense_categ_id")))
        return [row[0] for row in rows]

    # ------------------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------------------
    def action_open_gl_items(self):
        """Drill down: the journal items this value entry was posted to (G/L links)."""
        drilldown = self.env.ref("stock_account_gl_reconciliation.account_move_line_view_list_drilldown")
        return {
            "type": "ir.actions.act_window",
            "name": _("Journal Items"),
            "res_model": "account.move.line",
            "views": [(drilldown.id, "list"), (False, "form")],
            "domain": [("id", "in", self.gl_link_ids.move_line_id.ids)],
            "context": {"create": False},
        }

    def action_open_value_entry(self):
        """Open this value entry's form (its G/L status and General Ledger tab), where a row of the list opens the
        document that created it."""
        self.ensure_one()
        return dict(self.get_formview_action(), target="current")

    def action_post_inventory_cost(self):
        """Open Post Inventory Cost to G/L restricted to the selected value entries' products."""
        return {
            "type": "ir.actions.act_window",
            "name": _("Post Inventory Cost to G/L"),
            "res_model": "stock.inventory.cost.post",
            "view_mode": "form",
            "target": "new",
            "context": {"default_product_ids": self.product_id.ids,
                        "default_company_id": self.company_id[:1].id or self.env.company.id},
        }
