"""Benchmark: the valuation reports and the reconciliation on statistics PostgreSQL has not caught up with.

Seeds once a manual-valuation company with 1,000 FIFO and 1,000 AVCO products (committed, analysed). Then
creates and commits in bulk 100 value entries per product (receipts of 10, deliveries of 8, one entry every
3 days over a year: 200,000 entries) and their applications, with autovacuum off on those tables, so that
the planner statistics still describe the tables before the bulk (the situation right after an install over
history, an import or a large posting, before autovacuum comes by), and times each report for a 1,000-product
filter and for the whole company; then the same with fresh statistics (ANALYZE first). The bulk entries are
deleted afterwards. For reference, Odoo's native real-time posting of a delivery. Target: every report under
5 s on 2 cores, stale statistics or not. Run: bench/run reports
"""
import time

from common import ensure_chart, native_real_time, open_database, scaled, stock_accounts

from odoo import SUPERUSER_ID, api

PRODUCTS = scaled(1000)  # per costing method
ENTRIES = 100
TARGET = 5.0


def seed(env):
    company = ensure_chart(env)
    company.gl_post_cost_from = False
    accounts = stock_accounts(env, company)
    for method in ("fifo", "average"):
        categ = env["product.category"].create({"name": "Bench reports %s" % method})
        categ.write(dict(accounts, property_valuation="manual_periodic", property_cost_method=method))
        env["product.product"].create([{"name": "Report %s %04d" % (method, i), "is_storable": True,
                                        "categ_id": categ.id} for i in range(PRODUCTS)])
    env.flush_all()
    env.cr.execute("ANALYZE")


def bulk_entries(env):
    """The value entries and applications of every bench product, in bulk SQL (not analysed)."""
    company = env.ref("base.main_company")
    wh = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    products = env["product.product"].search([("name", "=like", "Report %")])
    env.cr.execute("""
        INSERT INTO stock_valuation_layer (company_id, product_id, categ_id, quantity, unit_cost, value,
               remaining_qty, remaining_value, description, create_date, write_date, create_uid, write_uid,
               posting_date, document_type, entry_type, gl_origin, gl_counterpart_type, gl_state, gl_excluded,
               cost_posted_to_gl, warehouse_id, location_id)
        SELECT %(company)s, p.id, pt.categ_id, CASE WHEN k %% 2 = 0 THEN 10 ELSE -8 END, c.cost,
               CASE WHEN k %% 2 = 0 THEN 10 * c.cost ELSE -8 * c.cost END, 0, 0, 'bench reports',
               timestamp '2025-01-01' + k * interval '1 minute', now(), %(uid)s, %(uid)s,
               date '2025-01-01' + (k * 3 %% 365), CASE WHEN k %% 2 = 0 THEN 'purchase' ELSE 'sale' END,
               'direct_cost', 'move', CASE WHEN k %% 2 = 0 THEN 'stock_input' ELSE 'stock_output' END, 'to_post',
               FALSE, 0, %(wh)s, %(loc)s
          FROM unnest(%(products)s::int[]) AS p(id)
          JOIN product_product pp ON pp.id = p.id JOIN product_template pt ON pt.id = pp.product_tmpl_id,
               generate_series(0, %(entries)s - 1) AS k,
               LATERAL (SELECT 10 + p.id %% 7 + ((k / 2) * 2) %% 5 AS cost) c
    """, dict(company=company.id, products=products.ids, entries=ENTRIES, uid=SUPERUSER_ID, wh=wh.id,
              loc=wh.lot_stock_id.id))
    env["stock.valuation.layer.application"]._gl_rebuild(company.ids)
    env.invalidate_all()
    return products


def time_reports(env, products):
    """{label: seconds} for each report over a 1,000-product filter and over the company."""
    company = env.ref("base.main_company")
    some = products.filtered(lambda p: p.cost_method == "fifo")[:500] | products.filtered(
        lambda p: p.cost_method == "average")[:500]
    figures = {}
    for label, filters in (("1,000 products", {"product_ids": [(6, 0, some.ids)]}), ("company", {})):
        for report_type in ("valuation", "cost_spec", "cost_shares"):
            report = env["stock.inventory.valuation.report"].create(dict(
                filters, company_id=company.id, report_type=report_type, date_from="2025-03-01",
                date_to="2025-12-31"))
            t0 = time.perf_counter()
            report._create_lines()
            labels = dict(report._fields["report_type"]._description_selection(env))
            figures["%s, %s" % (labels[report_type], label)] = time.perf_counter() - t0
        wizard = env["stock.inventory.gl.reconciliation"].create(dict(filters, company_id=company.id,
                                                                      date_from="2025-03-01", date_to="2025-12-31"))
        t0 = time.perf_counter()
        wizard.get_matrix()
        figures["Inventory - G/L Reconciliation, %s" % label] = time.perf_counter() - t0
    return figures


def main():
    _args, registry = open_database()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if not env["product.product"].search_count([("name", "=like", "Report %")]):
            seed(env)
            cr.commit()
    tables = ("stock_valuation_layer", "stock_valuation_layer_application")
    results = {}
    with registry.cursor() as cr:
        for table in tables:
            cr.execute("ALTER TABLE %s SET (autovacuum_enabled = false)" % table)
        cr.commit()
    try:
        for fresh in (False, True):
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                t0 = time.perf_counter()
                products = bulk_entries(env)
                seeded = time.perf_counter() - t0
                cr.execute("SELECT count(*) FROM stock_valuation_layer WHERE description = 'bench reports'")
                entries = cr.fetchone()[0]
                cr.commit()
                try:
                    if fresh:
                        cr.execute("ANALYZE stock_valuation_layer; ANALYZE stock_valuation_layer_application")
                        cr.commit()
                    results[fresh] = time_reports(env, products)
                    cr.rollback()
                finally:
                    cr.rollback()
                    cr.execute("""DELETE FROM stock_valuation_layer_application WHERE inbound_svl_id IN (
                                      SELECT id FROM stock_valuation_layer WHERE description = 'bench reports')""")
                    cr.execute("DELETE FROM stock_valuation_layer WHERE description = 'bench reports'")
                    cr.commit()
    finally:
        with registry.cursor() as cr:
            for table in tables:
                cr.execute("ALTER TABLE %s RESET (autovacuum_enabled)" % table)
            cr.execute("ANALYZE stock_valuation_layer; ANALYZE stock_valuation_layer_application")
            cr.commit()
    with registry.cursor() as cr:
        native = native_real_time(api.Environment(cr, SUPERUSER_ID, {}), 100)
        cr.rollback()
    print("Valuation reports benchmark: %d value entries created in bulk (%.0f s), 2 cores" % (entries, seeded))
    print("  %-55s %12s %12s   target" % ("report", "stale stats", "analysed"))
    for label in results[False]:
        print("  %-55s %11.2fs %11.2fs   < %.0f s" % (label, results[False][label], results[True][label], TARGET))
    slowest = max(max(r.values()) for r in results.values())
    print("  Odoo native real-time posting, per delivery (reference): %.2f ms" % (native * 1000))
    print("  ratio, slowest report / Odoo's native posting of one delivery: %.0f" % (slowest / native))
    print("  targets met" if slowest < TARGET else "  TARGETS MISSED")


if __name__ == "__main__":
    main()
