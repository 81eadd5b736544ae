from markupsafe import Markup

from odoo import _, api, fields, models

from ..report.inventory_gl_reconciliation import WARNING_CODES, WARNINGS


class StockInventoryGlReconciliation(models.TransientModel):
    """Inventory – G/L Reconciliation (BC page 5845): the filters, the matrix on screen and the PDF.

    The matrix itself is computed by ``stock.inventory.gl.reconciliation.engine`` (``report/``) from this
    wizard's filters (``stock.gl.filter.mixin``); the wizard keeps the fields, the buttons and, on its matrix
    rows, the drill-downs. Amounts are signed (debit > 0) in company currency.
    """

    _name = "stock.inventory.gl.reconciliation"
    _inherit = "stock.gl.filter.mixin"
    _description = "Inventory - G/L Reconciliation"
    _check_company_auto = True

    warehouse_ids = fields.Many2many("stock.warehouse", string="Warehouses", check_company=True)
    show_warnings = fields.Boolean(default=True)
    line_ids = fields.One2many("stock.inventory.gl.reconciliation.matrix", "wizard_id", "Matrix")
    has_filter = fields.Boolean(compute="_compute_has_filter")
    warnings_html = fields.Html("Warnings", compute="_compute_warnings_html", sanitize=True,
                                help="The explanation of every warning of the matrix, readable beside it.")

    @api.depends("date_from", "date_to")
    def _compute_display_name(self):
        for wizard in self:
            period = wizard._gl_period_label()
            wizard.display_name = _("Inventory - G/L Reconciliation") + (" (%s)" % period if period else "")

    @api.depends("line_ids.warning_code")
    def _compute_warnings_html(self):
        """Each warning that fired, once: its label, the rows it explains and what to do (the matrix shows the
        label; the remedy button of a row opens the records or the screen to fix)."""
        for wizard in self:
            rows = {}
            for line in wizard.line_ids.filtered("warning_code"):
                rows.setdefault(line.warning_code, []).append(line.name)
            wizard.warnings_html = Markup("").join(
                Markup("<p><strong>%s</strong> (%s): %s</p>") % (
                    self.env._(WARNINGS[code][0]), ", ".join(names), self.env._(WARNINGS[code][1]))
                for code, names in rows.items()) or False

    @api.depends("product_ids", "categ_ids", "warehouse_ids")
    def _compute_has_filter(self):
        for wizard in self:
            wizard.has_filter = bool(wizard.product_ids or wizard.categ_ids or wizard.warehouse_ids)

    def get_matrix(self):
        """The reconciliation matrix of this wizard's filters: see
        ``stock.inventory.gl.reconciliation.engine._get_matrix`` (list of dicts, one per account type then
        the total)."""
        self.ensure_one()
        return self.env["stock.inventory.gl.reconciliation.engine"]._get_matrix(self, self.show_warnings)

    # ------------------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------------------
    def action_compute(self):
        """Compute the matrix into ``line_ids``; the form reloads and shows it (no new breadcrumb)."""
        self.ensure_one()
        self.line_ids.unlink()
        labels = dict(self.env["stock.valuation.layer.gl.link"]._account_type_labels(), total=_("Total"))
        self.line_ids = [(0, 0, dict(row, name=labels[row["account_type"]], sequence=index,
                                     gl_split=row["gl_split"] is not False))
                         for index, row in enumerate(self.get_matrix())]
        return True

    def web_read(self, specification):
        """A matrix shown before is computed again whenever the form loads it: back from a remedy (a posting, an
        adjustment) through the breadcrumb, the figures are today's."""
        if "line_ids" in specification:
            for wizard in self.filtered("line_ids"):
                wizard.action_compute()
        return super().web_read(specification)

    # it writes the matrix lines: the web client must call it with a read/write cursor (web's _call_kw_readonly takes
    # the first ``_readonly`` of the class hierarchy; BaseModel.web_read is api.readonly)
    web_read._readonly = False

    def action_print(self):
        """The QWeb PDF of the matrix with every warning that fired."""
        self.ensure_one()
        return self.env.ref("stock_account_gl_reconciliation.action_report_inventory_gl_reconciliation").report_action(
            self, config=False)

    def _report_header_filters(self):
        self.ensure_one()
        parts = []
        if self.product_ids:
            parts.append(_("Products: %s", ", ".join(self.product_ids.mapped("display_name"))))
        if self.categ_ids:
            parts.append(_("Categories: %s", ", ".join(self.categ_ids.mapped("display_name"))))
        if self.warehouse_ids:
            parts.append(_("Warehouses: %s", ", ".join(self.warehouse_ids.mapped("display_name"))))
        return parts


class StockInventoryGlReconciliationMatrix(models.TransientModel):
    """One row of the on-screen matrix; every amount drills down to the records behind it."""

    _name = "stock.inventory.gl.reconciliation.matrix"
    _description = "Inventory - G/L Reconciliation Matrix Row"
    _order = "sequence"

    wizard_id = fields.Many2one("stock.inventory.gl.reconciliation", required=True, ondelete="cascade")
    sequence = fields.Integer()
    name = fields.Char("Account Type")
    account_type = fields.Char("Account Type Key")
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    inventory = fields.Monetary("Inventory Ledger")
    not_posted = fields.Monetary()
    posted = fields.Monetary("Posted from Inventory")
    invoicing = fields.Monetary()
    other_gl = fields.Monetary("Other G/L")
    gl_total = fields.Monetary("G/L Total")
    difference = fields.Monetary()
    gl_split = fields.Boolean(
        "G/L Split by Warehouse",
        help="With a warehouse filter: the G/L columns read the warehouses' own accounts in full. Unset: they show "
             "only what was posted from the filtered value entries.")
    warning_code = fields.Selection(WARNING_CODES)
    warning = fields.Char()
    warning_help = fields.Text(compute="_compute_warning_help")

    def _compute_warning_help(self):
        for line in self:
            line.warning_help = self.env._(WARNINGS[line.warning_code][1]) if line.warning_code else False

    def _accounts(self):
        """The row's accounts, as ``_get_matrix`` compares them (with a warehouse filter: the warehouses' own
        accounts of the types split to them)."""
        type_accounts = self.env["stock.inventory.gl.reconciliation.engine"]._type_accounts(self.wizard_id)[0]
        if self.account_type == "total":
            return sorted(set().union(*type_accounts.values()))
        return sorted(type_accounts[self.account_type])

    def _analysis_domain(self):
        """The row's rows of the analysis (``stock.inventory.gl.reconciliation.line`` and its value-entry branch
        ``.inventory``: one per value entry or journal item and account type, signed as the cell): the wizard's
        filters and the row's account type (the total row: every type)."""
        domain = self.wizard_id._gl_filter_domain(date_field="date", product_field="product_id",
                                                  warehouse_field="warehouse_id")
        if self.account_type != "total":
            domain.append(("account_type", "=", self.account_type))
        return domain

    def _aml_domain(self):
        """Journal items of the row: the wizard's company and dates and the row's accounts (the product filter is
        not applied; a warehouse filter is, through the G/L links, where the row's G/L is not split to it)."""
        domain = self.wizard_id._gl_filter_domain(date_field="date") + [("account_id", "in", self._accounts())]
        if not self.gl_split:
            domain.append(("gl_link_ids.svl_id.warehouse_id", "in", self.wizard_id.warehouse_ids.ids))
        return domain

    def _invoicing_domain(self):
        return self.env["stock.inventory.gl.reconciliation.engine"]._invoicing_domain()

    _DRILLDOWN_LISTS = {
        "account.move.line": "stock_account_gl_reconciliation.account_move_line_view_list_drilldown",
        "stock.inventory.gl.reconciliation.line.inventory":
            "stock_account_gl_reconciliation.stock_inventory_gl_reconciliation_line_view_list_drilldown",
        "stock.inventory.gl.reconciliation.line":
            "stock_account_gl_reconciliation.stock_inventory_gl_reconciliation_line_view_list_difference",
    }

    def _open(self, model, domain, name):
        """A drill-down list of ``model``: journal items with account and balance totals; value entries on the
        row's account type (``_analysis_domain``) with the amount and the part not posted totalled as the cells."""
        list_view = self.env.ref(self._DRILLDOWN_LISTS[model]).id if model in self._DRILLDOWN_LISTS else False
        return {"type": "ir.actions.act_window", "res_model": model, "views": [(list_view, "list"), (False, "form")],
                "domain": domain, "name": "%s - %s" % (self.name, name), "context": {"create": False}}

    def action_open_inventory(self):
        self.ensure_one()
        return self._open("stock.inventory.gl.reconciliation.line.inventory", self._analysis_domain(),
                          _("Value Entries"))

    def action_open_not_posted(self):
        self.ensure_one()
        return self._open("stock.inventory.gl.reconciliation.line.inventory",
                          # the G/L status first: the queue's partial index finds the entries
                          self._analysis_domain() + [("gl_state", "in", ("to_post", "partial")),
                                                ("not_posted_amount", "!=", 0)], _("Not Posted"))

    def action_open_difference(self):
        """The value entries and journal items of the row's account type in the period, from the analysis
        (``stock.inventory.gl.reconciliation.line``): their Difference column totals to the cell. The form offers
        it without a product, category or warehouse filter only (``link_if``): with one, the matrix reads the G/L
        side as a share of the links, which no list of records adds up to."""
        self.ensure_one()
        return self._open("stock.inventory.gl.reconciliation.line",
                          self._analysis_domain() + [("difference", "!=", 0)], _("Difference"))

    def action_open_posted(self):
        self.ensure_one()
        return self._open("account.move.line", self._aml_domain() + [
            ("parent_state", "=", "posted"), ("gl_linked", "=", True)], _("Posted from Inventory"))

    def action_open_invoicing(self):
        self.ensure_one()
        return self._open("account.move.line", self._aml_domain() + [
            ("parent_state", "=", "posted"), ("gl_linked", "=", False)] + self._invoicing_domain(),
            _("Invoicing"))

    def action_open_other_gl(self):
        self.ensure_one()
        return self._open("account.move.line", self._aml_domain() + [
            ("parent_state", "=", "posted"), ("gl_linked", "=", False), "!"] + self._invoicing_domain(),
            _("Other G/L"))

    def action_open_gl_total(self):
        self.ensure_one()
        return self._open("account.move.line", self._aml_domain() + [("parent_state", "=", "posted")], _("G/L Total"))

    def action_open_warning(self):
        """The warning's remedy, what its explanation tells to open: the posting wizard, Adjust Cost, the draft
        journal entries, the posting setup (similar accounts, setup changed, G/L not split by warehouse), Odoo's
        WIP entries, or the journal items."""
        self.ensure_one()
        wizard = self.wizard_id
        Engine = self.env["stock.inventory.gl.reconciliation.engine"]
        if self.warning_code == "not_posted":
            return {"type": "ir.actions.act_window", "res_model": "stock.inventory.cost.post", "view_mode": "form",
                    "target": "new", "name": _("Post Inventory Cost to G/L"),
                    "context": {"default_company_id": wizard.company_id.id, "default_date_to": wizard.date_to}}
        if self.warning_code == "not_adjusted":
            return {"type": "ir.actions.act_window", "res_model": "stock.cost.adjust", "view_mode": "form",
                    "target": "new", "name": _("Adjust Cost – Item Entries"),
                    "context": {"default_company_id": wizard.company_id.id}}
        if self.warning_code == "draft_entries":
            moves = self.env["stock.valuation.layer.gl.link"].search([
                ("company_id", "=", wizard.company_id.id), ("move_line_id.parent_state", "!=", "posted"),
                ("move_line_id.account_id", "in", self._accounts())]).move_id
            return self._open("account.move", [("id", "in", moves.ids)], _("Draft Entries"))
        if self.warning_code == "direct_posting":
            return self.action_open_other_gl()
        if self.warning_code == "odoo_switch_entry":
            return self._open("account.move", [("id", "in", Engine._odoo_switch_entries(wizard).ids)],
                              _("Category Change Entries"))
        if self.warning_code == "history":
            return self._open("stock.inventory.gl.reconciliation.line.inventory", self._analysis_domain() + [
                ("date", "<", wizard.company_id.gl_post_cost_from), ("gl_state", "=", "not_to_post"),
                ("inventory_amount", "!=", 0)], _("History Not Posted"))
        if self.warning_code == "landed_cost_sold_share":
            return self._open("stock.landed.cost", [("id", "in", Engine._landed_costs_without_sold_share(wizard).ids)],
                              _("Landed Costs"))
        if self.warning_code == "odoo_landed_cost_rounding":
            return self._open("account.move", [("id", "in", Engine._odoo_landed_cost_rounding_entries(wizard).ids)],
                              _("Landed Cost Entries"))
        if self.warning_code in ("similar_accounts", "setup_changed", "warehouse_not_split"):
            # what the explanation says to fix: the posting setup
            return dict(self.env["ir.actions.act_window"]._for_xml_id(
                "stock_account_gl_reconciliation.stock_posting_setup_action"),
                domain=[("company_id", "=", wizard.company_id.id)])
        if self.warning_code == "wip_accounting":
            return self._open("account.move.line", self._aml_domain() + [
                ("parent_state", "=", "posted"), ("move_id.wip_production_ids", "!=", False)], _("WIP Accounting"))
        return self.action_open_posted()
