import logging

from odoo import api, fields, models
from odoo.tools import SQL

from . import gl_sql

_logger = logging.getLogger(__name__)


class StockValuationLayerApplication(models.Model):
    """Which inbound value entry an outbound one consumed, and how much (BC table 339 "Item Application
    Entry").

    Written whenever Odoo's FIFO takes quantity from a candidate layer (``product.product._run_fifo``,
    and ``_run_fifo_vacuum`` when negative stock is covered later), for every costing method since Odoo
    keeps ``remaining_qty`` by FIFO for all of them. Rebuilt for existing history at install by
    ``_gl_rebuild`` (set-based replay). Cost adjustment reads it to forward late costs.

    ``quantity`` is positive, in the product's UoM.
    """

    _name = "stock.valuation.layer.application"
    _description = "Value Entry Application"
    _order = "outbound_svl_id, id"
    _log_access = False

    inbound_svl_id = fields.Many2one("stock.valuation.layer", "Inbound Entry", required=True,
                                     ondelete="cascade", index=True, readonly=True)
    outbound_svl_id = fields.Many2one("stock.valuation.layer", "Outbound Entry", required=True,
                                      ondelete="cascade", index=True, readonly=True)
    quantity = fields.Float(digits="Product Unit of Measure", required=True, readonly=True)
    product_id = fields.Many2one("product.product", required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    create_date = fields.Datetime(readonly=True)

    _sql_constraints = [
        ("quantity_positive", "CHECK (quantity > 0)", "An application quantity is positive."),
    ]

    @api.model
    def _gl_record(self, rows):
        """Insert applications from ``(inbound id, outbound id, quantity, product id, company id)`` tuples."""
        if not rows:
            return
        self.env.cr.execute(SQL("""
            INSERT INTO stock_valuation_layer_application
                   (inbound_svl_id, outbound_svl_id, quantity, product_id, company_id, create_date)
            SELECT * , now() at time zone 'UTC' FROM unnest(%s::int[], %s::int[], %s::numeric[], %s::int[], %s::int[])
        """, [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows],
            [r[4] for r in rows]))
        self.invalidate_model()

    @api.model
    def _gl_rebuild(self, company_ids=None):
        """Rebuild the applications of every value entry by replaying Odoo's FIFO, set-based.

        Per company, product and lot (lot-valuated products), inbound layers (quantity > 0) and outbound
        layers (quantity < 0) are laid end to end in creation order (Odoo's candidate order: create_date,
        id) as cumulative quantity intervals; an outbound layer consumed an inbound one exactly where
        their intervals overlap. This reproduces ``_run_fifo`` and the negative-stock vacuum (an outbound
        interval beyond the inbound quantity overlaps the later receipts that covered it). Dropship legs
        (never in stock) and value-only layers are left out. Existing applications of the companies are
        replaced.

        :return: number of applications written
        """
        companies = company_ids or self.env["res.company"].sudo().search([]).ids
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(SQL("DELETE FROM stock_valuation_layer_application WHERE company_id = ANY(%s)", list(companies)))
        cr.execute(SQL("""
            CREATE TEMP TABLE gl_fifo_layer ON COMMIT DROP AS
            SELECT svl.id, svl.product_id, svl.company_id, COALESCE(svl.lot_id, 0) AS lot_key,
                   svl.quantity > 0 AS inbound,
                   SUM(ABS(svl.quantity)) OVER w AS b, ABS(svl.quantity) AS qty
              FROM stock_valuation_layer svl
              LEFT JOIN stock_move sm ON sm.id = svl.stock_move_id
              LEFT JOIN stock_location ls ON ls.id = sm.location_id
              LEFT JOIN stock_location ld ON ld.id = sm.location_dest_id
             WHERE svl.company_id = ANY(%s) AND svl.quantity != 0
               AND NOT %s
            WINDOW w AS (PARTITION BY svl.company_id, svl.product_id, COALESCE(svl.lot_id, 0), svl.quantity > 0
                         ORDER BY svl.create_date, svl.id)
        """, list(companies), gl_sql.dropship()))
        cr.execute(SQL("CREATE INDEX ON gl_fifo_layer (company_id, product_id, lot_key, b) WHERE inbound"))
        cr.execute(SQL("ANALYZE gl_fifo_layer"))
        cr.execute(SQL("""
            INSERT INTO stock_valuation_layer_application
                   (inbound_svl_id, outbound_svl_id, quantity, product_id, company_id, create_date)
            SELECT i.id, o.id, LEAST(i.b, o.b) - GREATEST(i.b - i.qty, o.b - o.qty), o.product_id, o.company_id,
                   now() at time zone 'UTC'
              FROM gl_fifo_layer o
              JOIN LATERAL (
                    (SELECT * FROM gl_fifo_layer i
                      WHERE i.inbound AND i.company_id = o.company_id AND i.product_id = o.product_id
                        AND i.lot_key = o.lot_key AND i.b > o.b - o.qty AND i.b < o.b)
                    UNION ALL
                    (SELECT * FROM gl_fifo_layer i
                      WHERE i.inbound AND i.company_id = o.company_id AND i.product_id = o.product_id
                        AND i.lot_key = o.lot_key AND i.b >= o.b
                      ORDER BY i.b LIMIT 1)
              ) i ON TRUE
             WHERE NOT o.inbound
               AND LEAST(i.b, o.b) - GREATEST(i.b - i.qty, o.b - o.qty) > 0
        """))
        count = cr.rowcount
        cr.execute(SQL("DROP TABLE gl_fifo_layer"))
        self.invalidate_model()
        _logger.info("Value entry applications rebuilt: %s", count)
        return count
