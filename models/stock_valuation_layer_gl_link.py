from odoo import api, fields, models, tools
from odoo.tools import SQL

from . import posting_plan


class StockValuationLayerGlLink(models.Model):
    """G/L link (BC table 5823 "G/L - Item Ledger Relation"): which journal item a value entry fed,
    with which account type and how much (signed, company currency; debit > 0).

    A journal item posted per posting group links to every value entry that fed it; the sum of a
    value entry's links on its ``inventory`` type equals its cost posted to G/L.
    """

    _name = "stock.valuation.layer.gl.link"
    _description = "Value Entry - G/L Link"
    _order = "id"
    # no create/write user and date per link: the posting run (or the journal entry) records who and when,
    # and each of the two per value entry would cost a foreign-key check on the posting hot path
    _log_access = False

    svl_id = fields.Many2one("stock.valuation.layer", "Value Entry", required=True, index=True, ondelete="cascade")
    move_line_id = fields.Many2one("account.move.line", "Journal Item", required=True, index=True, ondelete="cascade")
    move_id = fields.Many2one(related="move_line_id.move_id", string="Journal Entry")
    account_id = fields.Many2one(
        related="move_line_id.account_id", store=True,
        help="Stored so the reconciliation finds each account type's accounts without reading journal items.")
    account_type = fields.Selection(posting_plan.ACCOUNT_TYPES, required=True)
    amount = fields.Monetary(required=True, currency_field="currency_id")
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    run_id = fields.Many2one("stock.inventory.cost.post.run", "Posting Run", index="btree_not_null",
                             ondelete="set null")
    lock_date_moved = fields.Boolean(
        help="The posting date was moved to the first open date by a lock date (reconciliation warning).")
    setup_id = fields.Many2one("stock.posting.setup", "Posting Setup", index="btree_not_null", ondelete="set null")

    @api.model
    def _account_type_labels(self):
        """{account type key: label} in the environment's language (``posting_plan.ACCOUNT_TYPES`` as this model's
        selection, translated by the catalogues): what every screen, PDF and message shows for an account type."""
        return dict(self._fields["account_type"]._description_selection(self.env))

    @api.model_create_multi
    def create(self, vals_list):
        """Flag the journal items as fed by value entries (``account.move.line.gl_linked``), one UPDATE."""
        links = super().create(vals_list)
        self.env.flush_all()
        self.env.cr.execute(SQL("UPDATE account_move_line SET gl_linked = TRUE WHERE id = ANY(%s)",
                                links.move_line_id.ids))
        links.move_line_id.invalidate_recordset(["gl_linked"])
        return links

    @api.model
    def _gl_bulk_create(self, vals_list):
        """Insert links in one statement (the posting hot path) and flag their journal items; same
        fields as ``create``, no records returned."""
        if not vals_list:
            return
        self.env.flush_all()
        cols = ["svl_id", "move_line_id", "account_type", "amount", "company_id", "run_id", "setup_id",
                "lock_date_moved"]
        arrays = [[vals.get(col) or None for vals in vals_list] for col in cols]
        # an amount of 0.0 links a zero-balance line (posting_plan's line carrying an amount in currency only)
        arrays[3] = [vals["amount"] for vals in vals_list]
        arrays[7] = [bool(vals.get("lock_date_moved")) for vals in vals_list]
        self.env.cr.execute(SQL("""
            WITH v AS (
                SELECT * FROM unnest(%s::int[], %s::int[], %s::varchar[], %s::numeric[], %s::int[], %s::int[],
                                     %s::int[], %s::bool[])
                       AS v(svl_id, move_line_id, account_type, amount, company_id, run_id, setup_id, lock_date_moved)
            ), ins AS (
                INSERT INTO stock_valuation_layer_gl_link
                       (svl_id, move_line_id, account_id, account_type, amount, company_id, run_id, setup_id,
                        lock_date_moved)
                SELECT v.svl_id, v.move_line_id, aml.account_id, v.account_type, v.amount, v.company_id, v.run_id,
                       v.setup_id, v.lock_date_moved
                  FROM v JOIN account_move_line aml ON aml.id = v.move_line_id
            )
            UPDATE account_move_line aml SET gl_linked = TRUE
              FROM (SELECT DISTINCT move_line_id FROM v) f
             WHERE aml.id = f.move_line_id AND aml.gl_linked IS NOT TRUE
        """, *arrays))
        self.invalidate_model()
        self.env["account.move.line"].invalidate_model(["gl_linked", "gl_link_ids"])
        self.env["stock.valuation.layer"].invalidate_model(["gl_link_ids"])

    def init(self):
        # the reconciliation reads the distinct (account type, account, setup) pairs of a company with a
        # skip scan over this index, and the posted side by journal item
        tools.create_index(self.env.cr, "stock_valuation_layer_gl_link_type_account_index", self._table,
                           ["company_id", "account_type", "account_id", "COALESCE(setup_id, 0)"])
