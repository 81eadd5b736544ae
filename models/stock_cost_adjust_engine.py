"""The cost-adjustment engine: Adjust Cost – Item Entries (BC report 795 / codeunit 5895).

One service shared by the Adjust Cost wizard, automatic cost adjustment (before commit) and the scheduled
action: forwards late costs to the outbound value entries that consumed the inbound entry
(``stock.valuation.layer.application``), values outbound entries of average-cost products at their period's
average, posts the adjustments of real-time categories at once through the posting engine, and leaves a
``stock.cost.adjust.run`` record. The arithmetic is the pure ``cost_adjustment`` module.
"""
import logging
from collections import defaultdict
from itertools import groupby

from odoo import _, api, fields, models
from odoo.tools import SQL

from . import cost_adjustment, gl_sql
from .cost_adjustment import AverageEntry

_logger = logging.getLogger(__name__)

ADJUST_LOCK_NAMESPACE = gl_sql.lock_namespace("adjust")
CRON_PRODUCT_CHUNK = 500
ADJUST_CHUNK = 200
# levels of manufacturing one run follows (component, sub-assembly, ..., finished product); more means a loop
MAX_PRODUCTION_LEVELS = 50


class StockCostAdjustEngine(models.AbstractModel):
    """Adjust Cost – Item Entries. Values already carried are never rewritten: each run creates only the
    difference between the target cost and what the outbound entry carries (adjustment entries:
    ``is_adjustment``, ``applies_to_id``, entry type of the forwarded cost, dated like the outbound entry or
    the first open date when that is locked), so a second run creates nothing."""

    _name = "stock.cost.adjust.engine"
    _description = "Adjust Cost Engine"

    @api.model
    def _acquire_lock(self, company, wait=False):
        """Serialise adjustment runs per company (transaction-level advisory lock). Returns False when
        another run holds it and ``wait`` is off."""
        self.env.cr.execute(gl_sql.advisory_xact_lock(ADJUST_LOCK_NAMESPACE, company.id, wait=wait))
        return wait or self.env.cr.fetchone()[0]

    @api.model
    def _adjust(self, company, products, post_to_gl=False, trigger="manual"):
        """Adjust the costs of ``products`` in ``company`` and leave a run record.

        FIFO, and average cost with Odoo's running average (the default Average Cost Period, "Per
        Transaction"): each late cost on an inbound entry (``gl_forward_quantity`` > 0: the sold share of a
        landed cost) is split over the outbound entries that consumed the inbound entry
        (``stock.valuation.layer.application``, consumption order, cumulative rounding so the split adds
        up exactly). Average cost with a periodic Average Cost Period (day, week, month: Business
        Central's convention, opt-in): outbound entries get their period's weighted average instead.
        Standard cost: nothing is forwarded.

        Through manufacturing orders (BC's multi-level Adjust Cost, with ``mrp``): level by level, the adjustments of
        a level's consumption entries reach the orders' output entries (``_forward_through_production``) and the
        products made are adjusted in the next level, until no output receives anything (at most
        MAX_PRODUCTION_LEVELS levels: beyond, a loop of orders, the run stops with a note).

        Adjustments of real-time categories are posted at once (per entry), as Odoo's automated valuation
        would; those of manual categories when ``post_to_gl``. Afterwards the products' "cost is adjusted"
        is true again and average costs are refreshed from the remaining value.

        :param company: res.company
        :param products: product.product recordset
        :param post_to_gl: post the adjustments of manual categories per entry
        :param trigger: ``manual`` | ``scheduled`` | ``automatic``
        :return: the ``stock.cost.adjust.run`` record
        :raise psycopg2.errors.SerializationFailure: another transaction adjusted these products meanwhile
            (Odoo retries the request on a fresh snapshot)
        """
        SVL = self.env["stock.valuation.layer"].sudo()
        products = products.with_company(company)
        SVL._gl_set_session("batch")
        adjustment_ids, note = [], False
        # level by level (BC's multi-level Adjust Cost): the late costs of the products of a level reach the orders
        # that consumed them, whose output entries carry them to the next level's products
        level, pending = 0, products
        while pending:
            level += 1
            if level > MAX_PRODUCTION_LEVELS:
                note = _("Manufacturing orders feed each other in a loop: the cost of %(products)s is not adjusted "
                         "(their cost is adjusted stays false).", products=", ".join(pending.mapped("display_name")))
                break
            outputs = self._adjust_level(company, pending, adjustment_ids)
            pending = products.browse(sorted(outputs)).with_company(company)
        adjustments = SVL.browse(adjustment_ids)
        currency = company.currency_id
        post_run = self.env["stock.inventory.cost.post.run"]
        to_post = adjustments.filtered(
            lambda s: s.gl_state == "to_post" and (post_to_gl
                                                   or s.product_id.with_company(company).valuation == "real_time"))
        if to_post:
            post_run, skipped = self.env["stock.inventory.cost.post.engine"].sudo()._post_entries(company, to_post)
            if skipped:
                note = (note + "\n" if note else "") + _(
                    "%(count)s adjustment entries could not be posted and stay in the queue: %(reasons)s",
                    count=len(skipped), reasons="; ".join(sorted({p.reason for p in skipped})))
        adjusted_products = adjustments.product_id
        return self.env["stock.cost.adjust.run"].sudo().create({
            "name": _("Adjust Cost – Item Entries %s", fields.Datetime.to_string(fields.Datetime.now())),
            "company_id": company.id,
            "trigger": trigger,
            "state": "done" if adjustments else "nothing",
            "product_count": len(adjusted_products),
            "entry_count": len(adjustments),
            "total_forwarded": currency.round(sum(adjustments.mapped("value"))),
            "svl_ids": [(6, 0, adjustments.ids)],
            "product_ids": [(6, 0, adjusted_products.ids)],
            "post_run_id": post_run.id or False,
            "note": note,
        })

    @api.model
    def _adjust_level(self, company, products, adjustment_ids):
        """Adjust ``products`` (one level of ``_adjust``), appending the ids of the entries created to
        ``adjustment_ids``; returns the ids of the products whose output entries received a forwarded cost (the
        next level), flagged "cost is not adjusted" meanwhile."""
        SVL = self.env["stock.valuation.layer"].sudo()
        outputs = set()
        # bounded memory: each chunk is loaded, adjusted, flushed and dropped from the cache
        for start in range(0, len(products), ADJUST_CHUNK):
            chunk = products[start:start + ADJUST_CHUNK]
            self.env.flush_all()
            # Row locks: a run committed after this transaction's snapshot has written these products, so
            # under REPEATABLE READ this raises a serialization failure (Odoo retries on a fresh snapshot)
            # instead of creating the same adjustments twice.
            SVL._gl_lock_rows(SQL("SELECT id FROM product_product WHERE id = ANY(%s) FOR NO KEY UPDATE", chunk.ids),
                              len(chunk), "products")
            periodic = [p.id for p in chunk if p.cost_method == "average"] if cost_adjustment.is_periodic_average(
                company.gl_average_cost_period) else []
            vals_list = self._forward_late_costs(company, chunk.ids, exclude=periodic)
            vals_list += self._average_cost_adjustments(company, periodic)
            if vals_list:
                adjustment_ids += SVL.with_context(gl_cost_adjusting=True).create(vals_list).ids
            adjustment_ids += self._rebalance_places(company, chunk.ids).ids
            self._refresh_average_cost(company, periodic)
            chunk.sudo().write({"gl_cost_adjustment_pending": False})
            forwarded = self._forward_through_production(company, chunk.ids)
            adjustment_ids += forwarded.ids
            if forwarded:
                forwarded.product_id.sudo().write({"gl_cost_adjustment_pending": True})
                outputs.update(forwarded.product_id.ids)
            self.env.flush_all()
            self.env.invalidate_all()
        return outputs

    @api.model
    def _adjustment_vals(self, company, outbound, value, entry_type, source, lock_cache):
        """Values of one adjustment entry of ``outbound`` (a dict row of ``_outbound_rows``) forwarding
        ``source`` (a dict row with ``id``, ``gl_categ_id``, ``gl_valuation``; None for a period average):
        it posts with the accounts of the category the forwarded cost was created in (Odoo posts the sold
        share of a landed cost with the product's accounts on the landed-cost date), else with those of the
        outbound entry."""
        origin = source or outbound
        return {
            "company_id": company.id,
            "product_id": outbound["product_id"],
            "lot_id": outbound["lot_id"],
            "value": value,
            "quantity": 0,
            "unit_cost": 0,
            "remaining_qty": 0,
            "description": _("Cost adjustment of %s", outbound["description"] or outbound["id"]),
            "is_adjustment": True,
            "applies_to_id": outbound["id"],
            "gl_cost_source_id": source["id"] if source else False,
            "gl_categ_id": origin["gl_categ_id"],
            "gl_valuation": origin["gl_valuation"],
            "gl_origin": "cost_adjustment",
            "entry_type": entry_type or "direct_cost",
            "posting_date": company._gl_first_open_date(outbound["posting_date"], lock_cache),
        }

    @api.model
    def _outbound_rows(self, ids):
        if not ids:
            return {}
        rows = self.env.execute_query_dict(SQL("""
            SELECT svl.id, svl.product_id, svl.lot_id, svl.posting_date, svl.description, svl.quantity,
                   svl.gl_categ_id, svl.gl_valuation
              FROM unnest(%s::int[]) AS q(id) JOIN stock_valuation_layer svl ON svl.id = q.id""", list(ids)))
        return {row["id"]: row for row in rows}

    @api.model
    def _forward_late_costs(self, company, product_ids, exclude=()):
        """Adjustment values for late costs with a quantity to forward to (landed costs after a
        delivery) of ``product_ids`` except ``exclude`` (average-cost products adjusted by their period
        average, which includes the late costs)."""
        product_ids = sorted(set(product_ids) - set(exclude))
        if not product_ids:
            return []
        sources = self.env.execute_query_dict(SQL("""
            SELECT s.id, s.stock_valuation_layer_id AS inbound_id, s.value, s.gl_forward_quantity AS qty,
                   s.entry_type, s.posting_date, s.gl_categ_id, s.gl_valuation
              FROM stock_valuation_layer s
             WHERE s.company_id = %s AND s.product_id = ANY(%s) AND s.gl_forward_quantity > 0
               AND s.stock_valuation_layer_id IS NOT NULL
             ORDER BY s.id""", company.id, product_ids))
        if not sources:
            return []
        plan = self._plan_forwarding(company, sources)
        outbound = self._outbound_rows({out_id for _src, out_id, _value in plan if out_id})
        lock_cache, vals_list = {}, []
        by_id = {s["id"]: s for s in sources}
        SVL = self.env["stock.valuation.layer"].sudo()
        for source_id, out_id, value in plan:
            if out_id:
                vals_list.append(self._adjustment_vals(company, outbound[out_id], value,
                                                          by_id[source_id]["entry_type"], by_id[source_id], lock_cache))
            else:  # forwarded from the receipt itself to cost of goods sold, dated like the late cost
                source = SVL.browse(source_id)
                vals_list.append(self._landed_cost_forwarding_vals(
                    source, value, company._gl_first_open_date(source.posting_date, lock_cache)))
        return vals_list

    @api.model
    def _landed_cost_forwarding_vals(self, source, value, posting_date, outbound_id=False):
        """Values of the entry forwarding (part of) the late cost ``source`` from its receipt to cost of
        goods sold (``landed_cost_out``): for an outbound entry (``outbound_id``) or, when no consumer is
        recorded, for the receipt as a whole."""
        return {
            "company_id": source.company_id.id, "product_id": source.product_id.id, "lot_id": source.lot_id.id,
            "value": value, "quantity": 0, "unit_cost": 0, "remaining_qty": 0,
            "stock_valuation_layer_id": source.stock_valuation_layer_id.id,
            "stock_landed_cost_id": source.stock_landed_cost_id.id,
            "description": "%s (sold share)" % (source.stock_landed_cost_id.name or source.description),
            "is_adjustment": True, "gl_cost_source_id": source.id, "gl_origin": "landed_cost_out",
            "gl_categ_id": source.gl_categ_id.id, "gl_valuation": source.gl_valuation,
            "document_type": "sale", "entry_type": source.entry_type, "posting_date": posting_date,
            "applies_to_id": outbound_id,
        }

    @api.model
    def _plan_forwarding(self, company, sources):
        """``[(source id, outbound id or None, value still to forward)]`` for late-cost ``sources`` (dict
        rows with ``id``, ``inbound_id``, ``value``, ``qty``): the value split over the first ``qty``
        consumed of the inbound entry, minus what earlier adjustments of that source already forwarded.
        A source whose inbound entry has no recorded consumer gives one row with outbound None."""
        rounding = company.currency_id.rounding
        inbound_ids = list({s["inbound_id"] for s in sources})
        apps = defaultdict(list)
        for inbound_id, outbound_id, quantity in self.env.execute_query(SQL("""
                SELECT inbound_svl_id, outbound_svl_id, SUM(quantity) FROM stock_valuation_layer_application
                 WHERE inbound_svl_id = ANY(%s) GROUP BY inbound_svl_id, outbound_svl_id
                 ORDER BY inbound_svl_id, outbound_svl_id""", inbound_ids)):
            apps[inbound_id].append((outbound_id, float(quantity)))
        done = defaultdict(float)
        for source_id, outbound_id, value in self.env.execute_query(SQL("""
                SELECT gl_cost_source_id, applies_to_id, SUM(value) FROM stock_valuation_layer
                 WHERE gl_cost_source_id = ANY(%s) GROUP BY gl_cost_source_id, applies_to_id""",
                [s["id"] for s in sources])):
            done[(source_id, outbound_id)] += value
        plan = []
        for source in sources:
            consumers, taken = [], 0.0
            for outbound_id, quantity in apps[source["inbound_id"]]:
                if taken >= source["qty"]:
                    break
                quantity = min(quantity, source["qty"] - taken)
                consumers.append((outbound_id, quantity))
                taken += quantity
            if not consumers:  # no recorded consumer (history before install): one unattached entry
                needed = cost_adjustment.round_to(-source["value"] - done[(source["id"], None)], rounding)
                if needed:
                    plan.append((source["id"], None, needed))
                continue
            shares = cost_adjustment.allocate(-source["value"], [q for _o, q in consumers], taken, rounding)
            for (outbound_id, _q), share in zip(consumers, shares, strict=False):
                needed = cost_adjustment.round_to(share - done[(source["id"], outbound_id)], rounding)
                if needed:
                    plan.append((source["id"], outbound_id, needed))
        return plan

    @api.model
    def _forward_through_production(self, company, product_ids):
        """BC's multi-level Adjust Cost: the cost adjustments of consumption entries of ``product_ids`` (components
        consumed by manufacturing orders) reach the output entries of those orders. Only with ``mrp`` installed
        (an empty recordset otherwise); one SQL read of the orders' stock moves (``raw_material_production_id``,
        ``production_id``, ``cost_share``), no MRP model.

        Per order, what its consumption entries received from Adjust Cost (origin ``cost_adjustment``; what Odoo
        itself posted, a negative-stock correction or the sold share of a landed cost in an automated category,
        stays where Odoo put it), minus what its output entries already received, is split over its output entries
        as Odoo's ``mrp.production._cal_price`` splits the order's cost: each by-product its cost share, the
        finished product the rest, several entries of one stock move by quantity (cumulative rounding, the split
        adds up to the cent). An output entry of a standard-cost product receives nothing: its share stays on the
        production account, as Odoo's standard-cost variance. Each output entry gets at most two entries (origin
        ``cost_adjustment``, ``stock_valuation_layer_id`` = the output entry, dated like it or the first open date):
        the share of its quantity still in stock, added to its remaining value (average cost: to the product's cost,
        as Odoo's landed costs do), and the share already consumed, with ``gl_forward_quantity`` = that quantity,
        which the next level forwards to the outbound entries that consumed it (``_forward_late_costs``).

        :param company: res.company
        :param product_ids: ids of the products just adjusted
        :return: the created ``stock.valuation.layer`` entries (company currency, quantity 0)
        """
        SVL = self.env["stock.valuation.layer"].sudo()
        if "mrp.production" not in self.env or not product_ids:
            return SVL
        rows = self.env.execute_query_dict(SQL("""
            WITH orders AS (
                SELECT DISTINCT sm.raw_material_production_id AS production_id
                  FROM stock_valuation_layer adj
                  JOIN stock_valuation_layer c ON c.id = adj.applies_to_id
                  JOIN stock_move sm ON sm.id = c.stock_move_id
                 WHERE adj.company_id = %(company)s AND adj.product_id = ANY(%(products)s)
                   AND adj.gl_origin = 'cost_adjustment' AND sm.raw_material_production_id IS NOT NULL
            ), consumed AS (
                SELECT sm.raw_material_production_id AS production_id, -SUM(adj.value) AS amount
                  FROM orders o
                  JOIN stock_move sm ON sm.raw_material_production_id = o.production_id
                  JOIN stock_valuation_layer c ON c.stock_move_id = sm.id
                  JOIN stock_valuation_layer adj ON adj.applies_to_id = c.id AND adj.gl_origin = 'cost_adjustment'
                 GROUP BY 1
            ), forwarded AS (
                SELECT sm.production_id, SUM(f.value) AS amount
                  FROM orders o
                  JOIN stock_move sm ON sm.production_id = o.production_id
                  JOIN stock_valuation_layer op ON op.stock_move_id = sm.id
                  JOIN stock_valuation_layer f ON f.stock_valuation_layer_id = op.id
                   AND f.gl_origin = 'cost_adjustment' AND f.quantity = 0
                 GROUP BY 1
            )
            SELECT c.production_id, c.amount - COALESCE(f.amount, 0) AS needed,
                   op.id, op.product_id, op.lot_id, op.quantity, op.remaining_qty, op.posting_date,
                   op.description, op.gl_categ_id, op.gl_valuation, sm.id AS move_id,
                   CASE WHEN sm.product_id = mo.product_id THEN NULL ELSE COALESCE(sm.cost_share, 0) END AS share,
                   SUM(op.quantity) OVER (PARTITION BY sm.id) AS move_quantity
              FROM consumed c
              LEFT JOIN forwarded f ON f.production_id = c.production_id
              JOIN mrp_production mo ON mo.id = c.production_id
              JOIN stock_move sm ON sm.production_id = mo.id AND NOT COALESCE(sm.scrapped, FALSE)
              JOIN stock_valuation_layer op ON op.stock_move_id = sm.id AND op.quantity > 0
             ORDER BY c.production_id, sm.id, op.id""", company=company.id, products=list(product_ids)))
        rounding, lock_cache, vals_list, in_stock = company.currency_id.rounding, {}, [], defaultdict(float)
        Product = self.env["product.product"].with_company(company)
        for _production_id, group in groupby(rows, key=lambda row: row["production_id"]):
            group = list(group)
            needed = cost_adjustment.round_to(group[0]["needed"], rounding)
            if not needed:
                continue
            # Odoo's _cal_price: each by-product its cost share, the finished product the rest
            byproduct_share = sum({row["move_id"]: row["share"] or 0.0 for row in group}.values())
            weights = [(row["share"] if row["share"] is not None else 100.0 - byproduct_share)
                       * row["quantity"] / row["move_quantity"] for row in group]
            shares = cost_adjustment.allocate(needed, weights, sum(weights), rounding)
            for row, share in zip(group, shares, strict=True):
                if not share or Product.browse(row["product_id"]).cost_method == "standard":
                    continue
                stock_share = cost_adjustment.round_to(share * row["remaining_qty"] / row["quantity"], rounding)
                in_stock[row["id"]] += stock_share
                for value, forward_quantity in ((stock_share, 0.0),
                                                (cost_adjustment.round_to(share - stock_share, rounding),
                                                 row["quantity"] - row["remaining_qty"])):
                    if value:
                        vals = self._adjustment_vals(company, row, value, "direct_cost", None, lock_cache)
                        vals.update(applies_to_id=False, stock_valuation_layer_id=row["id"],
                                    gl_forward_quantity=forward_quantity)
                        vals_list.append(vals)
        if not vals_list:
            return SVL
        created = SVL.with_context(gl_cost_adjusting=True).create(vals_list)
        for layer in SVL.browse(sorted(in_stock)):
            if in_stock[layer.id]:
                layer.remaining_value += in_stock[layer.id]
                product = layer.product_id.with_company(company)
                if product.cost_method == "average" and product.quantity_svl > 0 and not product.lot_valuated:
                    # stock_landed_costs button_validate: the average cost takes the share in stock
                    product = product.with_context(disable_auto_svl=True)
                    product.standard_price += in_stock[layer.id] / product.quantity_svl
        return created

    @api.model
    def _average_cost_adjustments(self, company, product_ids):
        """Adjustment values for average-cost products: each outbound entry to its period's average."""
        if not product_ids:
            return []
        period = company.gl_average_cost_period
        rounding = company.currency_id.rounding
        rows = self.env.execute_query_dict(SQL("""
            SELECT svl.id, svl.product_id, svl.quantity, svl.value, svl.posting_date, svl.is_adjustment, svl.gl_origin,
                   COALESCE(svl.applies_to_id, CASE WHEN parent.quantity < 0 THEN parent.id END) AS attached_to,
                   CASE WHEN parent.quantity > 0 THEN parent.posting_date END AS parent_date
              FROM stock_valuation_layer svl
              %s
             WHERE svl.company_id = %s AND svl.product_id = ANY(%s)
               AND NOT (%s AND svl.applies_to_id IS NULL)
             ORDER BY svl.product_id, svl.id""", gl_sql.effective_move_joins(applied=False), company.id,
            list(product_ids), gl_sql.dropship()))
        per_product = defaultdict(list)
        for row in rows:
            per_product[row["product_id"]].append(row)
        lock_cache, vals_list, targets_all = {}, [], {}
        for layers in per_product.values():
            carried = defaultdict(float)
            for row in layers:
                if row["attached_to"]:
                    carried[row["attached_to"]] += row["value"]
            entries = []
            for row in layers:
                if row["attached_to"]:
                    continue
                if row["quantity"] < 0:
                    entries.append(AverageEntry(row["id"], row["posting_date"], "out", row["quantity"],
                                                row["value"] + carried[row["id"]]))
                elif row["quantity"] > 0:
                    entries.append(AverageEntry(row["id"], row["posting_date"], "in", row["quantity"], row["value"]))
                elif row["is_adjustment"] and not (row["parent_date"] and row["gl_origin"] == "cost_adjustment"):
                    # (a cost forwarded to an output entry is a late cost of that entry: a value of the period)
                    entries.append(AverageEntry(row["id"], row["posting_date"], "fixed", 0.0, row["value"]))
                else:
                    entries.append(AverageEntry(row["id"], row["parent_date"] or row["posting_date"], "value",
                                                0.0, row["value"]))
            current = {e.key: e.carried for e in entries if e.kind == "out"}
            for key, target in cost_adjustment.average_cost_targets(entries, period, rounding).items():
                needed = cost_adjustment.round_to(target - current[key], rounding)
                if needed:
                    targets_all[key] = needed
        outbound = self._outbound_rows(targets_all)
        for out_id, needed in sorted(targets_all.items()):
            vals_list.append(self._adjustment_vals(company, outbound[out_id], needed, "direct_cost", None,
                                                      lock_cache))
        return vals_list

    @api.model
    def _rebalance_places(self, company, product_ids, opening_date=None):
        """The location invariant (docs/transfer-value-entries.md): for the products of ``product_ids`` whose value
        entries or on-hand quantities are in more than one place, the transfer pairs (origin ``transfer``, no
        quantity) that bring each place (warehouse, inventory account) to its on-hand quantity (company-owned
        quants) valued at Odoo's company cost (``cost_adjustment.location_targets``, per lot when valued by lot).

        Adjust Cost (``opening_date`` None): adjustment entries (``is_adjustment``), dated like the product's
        latest value entry or the first open date, posted like any transfer pair. Install on history
        (``opening_date``, ``_record_opening_places``): the *opening location values*, dated ``opening_date``
        and never posted (no counterpart account: the history is in the general ledger as it was posted).
        Returns the created entries."""
        SVL = self.env["stock.valuation.layer"].sudo()
        if not product_ids:
            return SVL
        Setup, Warehouse, cache = self.env["stock.posting.setup"], self.env["stock.warehouse"], {}

        def place(warehouse_id, location_id, categ_id):
            return Setup._gl_place(company, warehouse_id, location_id, categ_id, cache)

        values, latest, where = defaultdict(lambda: defaultdict(float)), {}, {}
        for product_id, lot_id, warehouse_id, location_id, categ_id, value, last_date in self.env.execute_query(SQL("""
                SELECT svl.product_id, CASE WHEN pt.lot_valuated THEN svl.lot_id END, svl.warehouse_id,
                       svl.location_id, COALESCE(svl.gl_categ_id, pt.categ_id), SUM(svl.value),
                       MAX(MAX(svl.posting_date)) OVER (PARTITION BY svl.product_id)
                  FROM stock_valuation_layer svl
                  JOIN product_product pp ON pp.id = svl.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 WHERE svl.company_id = %s AND svl.product_id = ANY(%s)
                 GROUP BY 1, 2, 3, 4, 5""", company.id, list(product_ids))):
            key = place(warehouse_id, location_id, categ_id)
            values[(product_id, lot_id)][key] += value
            where.setdefault(key, (location_id, 0.0))
            latest[product_id] = last_date  # the product's latest posting date
        quantities = defaultdict(lambda: defaultdict(float))
        for product_id, lot_id, location_id, warehouse_id, categ_id, quantity in self.env.execute_query(SQL("""
                SELECT q.product_id, CASE WHEN pt.lot_valuated THEN q.lot_id END, q.location_id, l.warehouse_id,
                       pt.categ_id, SUM(q.quantity)
                  FROM stock_quant q
                  JOIN stock_location l ON l.id = q.location_id
                  JOIN product_product pp ON pp.id = q.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                  JOIN res_company c ON c.id = %s
                 WHERE q.product_id = ANY(%s) AND l.company_id = c.id AND %s
                   AND (q.owner_id IS NULL OR q.owner_id = c.partner_id)
                 GROUP BY 1, 2, 3, 4, 5""", company.id, sorted({p for p, _lot in values}),
                                           gl_sql.valued_usage("l"))):
            key = place(warehouse_id, location_id, categ_id)
            quantities[(product_id, lot_id)][key] += quantity
            # the place's location for its entries: where most of its quantity is
            if quantity > where.get(key, (None, 0.0))[1]:
                where[key] = (location_id, quantity)
        candidates = sorted(key for key, places in values.items() if len(set(places) | set(quantities[key])) > 1)
        rounding, lock_cache, vals_list = company.currency_id.rounding, {}, []
        for product_id, lot_id in candidates:
            current = values[(product_id, lot_id)]
            targets = cost_adjustment.location_targets(quantities[(product_id, lot_id)], sum(current.values()),
                                                       rounding)
            if not targets:
                continue  # value with no quantity anywhere (negative stock): nothing to locate
            posting_date = opening_date or company._gl_first_open_date(latest[product_id], lock_cache)
            for source, destination, amount in cost_adjustment.rebalancing_transfers(current, targets, rounding):
                for key, sign, other in ((source, -1, destination), (destination, 1, source)):
                    place_name = Warehouse.browse(key[0]).display_name or company.display_name
                    vals_list.append({
                        "company_id": company.id, "product_id": product_id, "lot_id": lot_id or False,
                        "quantity": 0, "remaining_qty": 0, "remaining_value": 0, "unit_cost": 0,
                        "value": sign * amount, "gl_location_quantity": 0, "posting_date": posting_date,
                        "location_id": where[key][0],
                        "warehouse_id": key[0], "document_type": "transfer", "entry_type": "direct_cost",
                        "gl_origin": "transfer", "is_adjustment": not opening_date,
                        "gl_counterpart_account_id": other[1] if key[1] != other[1] and not opening_date else False,
                        "description": _("Opening value of %(place)s", place=place_name) if opening_date else
                        _("Cost adjustment: value of %(place)s at the company's cost", place=place_name),
                    })
        if not vals_list:
            return SVL
        return SVL._gl_create_transfer_pairs(vals_list)

    @api.model
    def _record_opening_places(self, company, opening_date):
        """Install on history: where the value of each product sits today, from its quants (README, "Transfer
        value entries"). Odoo recorded no internal move, so the value entries of a product moved between places
        before the install still sit where the goods were received; the opening location values
        (``_rebalance_places`` with ``opening_date``, not posted) bring each place to its on-hand quantity at
        Odoo's company cost. Which products: those with value entries or quants in two warehouses or more
        (an entry without a warehouse, a transit location: one more), every product with stock when a posting
        setup row gives a location its own inventory account. Set-based selection, then chunks of ADJUST_CHUNK
        products. Returns the number of entries created."""
        location_rows = self.env["stock.posting.setup"].sudo().search_count([
            ("company_id", "=", company.id), ("location_id", "!=", False), ("inventory_account_id", "!=", False)])
        spread = SQL("TRUE") if location_rows else SQL("COUNT(DISTINCT p.warehouse_id) > 1")
        product_ids = [row[0] for row in self.env.execute_query(SQL("""
            SELECT p.product_id FROM (
                SELECT svl.product_id, COALESCE(svl.warehouse_id, 0) AS warehouse_id FROM stock_valuation_layer svl
                 WHERE svl.company_id = %(company)s
                 GROUP BY 1, 2
                 UNION
                SELECT q.product_id, COALESCE(l.warehouse_id, 0) FROM stock_quant q
                  JOIN stock_location l ON l.id = q.location_id
                 WHERE l.company_id = %(company)s AND %(valued)s
                 GROUP BY 1, 2
            ) p
             GROUP BY p.product_id HAVING %(spread)s ORDER BY p.product_id
        """, company=company.id, valued=gl_sql.valued_usage("l"), spread=spread))]
        created = 0
        for start in range(0, len(product_ids), ADJUST_CHUNK):
            created += len(self._rebalance_places(company, product_ids[start:start + ADJUST_CHUNK],
                                                  opening_date=opening_date))
            self.env.flush_all()
            self.env.invalidate_all()
        return created

    @api.model
    def _refresh_average_cost(self, company, product_ids):
        """Set the average cost of adjusted AVCO products to remaining value / remaining quantity (BC
        updates the item's unit cost after adjusting), without creating a revaluation entry."""
        if not product_ids:
            return
        rows = self.env.execute_query(SQL("""
            SELECT product_id, SUM(quantity), SUM(value) FROM stock_valuation_layer
             WHERE company_id = %s AND product_id = ANY(%s) GROUP BY product_id""", company.id, list(product_ids)))
        Product = self.env["product.product"].sudo().with_company(company).with_context(disable_auto_svl=True)
        for product_id, quantity, value in rows:
            product = Product.browse(product_id)
            if quantity > 0 and not product.lot_valuated:
                price = value / quantity
                if company.currency_id.compare_amounts(price, product.standard_price):
                    product.standard_price = price

    # ------------------------------------------------------------------------------------------------
    # Triggers: automatic (before commit) and scheduled actions
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _run_automatic(self):
        """Precommit callback of automatic cost adjustment: adjust the products flagged in this
        transaction whose change falls within the company's horizon."""
        data = self.env.cr.precommit.data.pop("gl_auto_adjust", {})
        for company_id, product_ids in data.items():
            company = self.env["res.company"].browse(company_id)
            self._acquire_lock(company, wait=True)
            products = self.env["product.product"].browse(sorted(product_ids)).exists()
            self._adjust(company, products, post_to_gl=False, trigger="automatic")
        self.env.flush_all()

    @api.model
    def _pending_products(self, company, limit=None):
        Product = self.env["product.product"].sudo().with_company(company).with_context(active_test=False)
        return Product.search([("gl_cost_adjustment_pending", "=", True)], limit=limit, order="id")

    @api.model
    def _cron_adjust_cost(self):
        """Scheduled action "Adjust Cost – Item Entries": per company, adjust up to CRON_PRODUCT_CHUNK
        flagged products per call and report progress; Odoo's cron runner calls again while products
        remain. A company whose adjustment lock another worker holds is left for that worker."""
        done = remaining = 0
        for company in self.env["res.company"].sudo().search([]):
            products = self._pending_products(company)
            if not products:
                continue
            if not self._acquire_lock(company):
                _logger.info("Adjust Cost: another run holds the lock of %s", company.display_name)
                continue
            chunk = products[:CRON_PRODUCT_CHUNK]
            self._adjust(company, chunk, post_to_gl=company.gl_automatic_cost_posting == "scheduled",
                            trigger="scheduled")
            done += len(chunk)
            remaining += len(products) - len(chunk)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
