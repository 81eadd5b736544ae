"""Benchmark: Inventory - G/L Reconciliation on 1,000,000 value entries and 2,000,000 journal items.

Seeds (once, in bulk SQL) a manual-valuation category with 1,000 products, N value entries over one year
(purchases, sales, inventory losses), each posted per entry (one journal entry, two journal items, two G/L
links). Then times:
  - get_matrix() over the whole year and over one month (targets: < 2 s),
  - the pivot's default view: the grouped reads the web pivot issues for its account-type rows (the total and
    the rows), sent at once as the web client does (target: < 3 s), and one after another,
  - for reference, Odoo's own Inventory > Reporting > Valuation pivot default on the same value entries,
and prints the figures and the ratio against that native pivot. Run: bench/run reconciliation
"""
import resource
import statistics
import subprocess
import threading
import time

from common import open_database, scaled

from odoo import SUPERUSER_ID, api

PRODUCTS = scaled(1000)


def seed(env, n_svl):
    cr = env.cr
    company = env.ref("base.main_company")
    if not env["account.account"].search_count([("company_ids", "in", company.id)]):
        company.country_id = env.ref("base.us")
        env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
    company.gl_post_cost_from = False
    chart = env["account.chart.template"].with_company(company)
    val, stock_in, stock_out = chart.ref("stock_valuation"), chart.ref("stock_in"), chart.ref("stock_out")
    diff = env["account.account"].create({"name": "Inventory Differences", "code": "512000",
                                          "account_type": "expense_direct_cost"})
    journal = env["account.journal"].search([("type", "=", "general"), ("company_id", "=", company.id)], limit=1)
    categ = env["product.category"].create({"name": "Bench (manual, FIFO)"})
    categ.write({"property_valuation": "manual_periodic", "property_cost_method": "fifo",
                 "property_stock_valuation_account_id": val.id, "property_stock_account_input_categ_id": stock_in.id,
                 "property_stock_account_output_categ_id": stock_out.id, "property_stock_journal": journal.id})
    products = env["product.product"].create([
        {"name": "Bench %04d" % i, "is_storable": True, "categ_id": categ.id} for i in range(PRODUCTS)])
    wh = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    env.flush_all()
    params = dict(company=company.id, categ=categ.id, products=products.ids, n_products=len(products), n=n_svl,
                  wh=wh.id, loc=wh.lot_stock_id.id, journal=journal.id, currency=company.currency_id.id,
                  val=val.id, stock_in=stock_in.id, stock_out=stock_out.id, diff=diff.id, uid=SUPERUSER_ID)
    t0 = time.time()
    cr.execute("""
        INSERT INTO stock_valuation_layer (company_id, product_id, categ_id, quantity, unit_cost, value,
               remaining_qty, remaining_value, description, create_date, write_date, create_uid, write_uid,
               posting_date, document_type, entry_type, gl_origin, gl_counterpart_type, gl_state, gl_excluded,
               cost_posted_to_gl, warehouse_id, location_id)
        SELECT %(company)s, (%(products)s::int[])[1 + g %% %(n_products)s], %(categ)s,
               CASE g %% 3 WHEN 0 THEN 10 WHEN 1 THEN -6 ELSE -1 END, 10,
               CASE g %% 3 WHEN 0 THEN 100 WHEN 1 THEN -60 ELSE -10 END, 0, 0, 'bench',
               now(), now(), %(uid)s, %(uid)s, date '2025-01-01' + (g %% 365),
               CASE g %% 3 WHEN 0 THEN 'purchase' WHEN 1 THEN 'sale' ELSE 'negative_adjmt' END,
               'direct_cost', 'move',
               CASE g %% 3 WHEN 0 THEN 'stock_input' WHEN 1 THEN 'stock_output' ELSE 'inventory_adjustment' END,
               'posted', FALSE, CASE g %% 3 WHEN 0 THEN 100 WHEN 1 THEN -60 ELSE -10 END, %(wh)s, %(loc)s
          FROM generate_series(1, %(n)s) g
    """, params)
    cr.execute("SELECT min(id) FROM stock_valuation_layer WHERE description = 'bench'")
    first_svl = cr.fetchone()[0]
    cr.execute("SELECT COALESCE(max(id), 0) + 1 FROM account_move")
    first_move = cr.fetchone()[0]
    cr.execute("SELECT COALESCE(max(id), 0) + 1 FROM account_move_line")
    first_aml = cr.fetchone()[0]
    params.update(first_svl=first_svl, first_move=first_move, first_aml=first_aml)
    cr.execute("""
        INSERT INTO account_move (id, name, ref, date, state, move_type, auto_post, journal_id, company_id,
               currency_id, create_date, write_date, create_uid, write_uid)
        SELECT %(first_move)s + (svl.id - %(first_svl)s), 'BENCH/' || svl.id, 'bench', svl.posting_date, 'posted',
               'entry', 'no', %(journal)s, %(company)s, %(currency)s, now(), now(), %(uid)s, %(uid)s
          FROM stock_valuation_layer svl WHERE svl.description = 'bench'
    """, params)
    cr.execute("""
        INSERT INTO account_move_line (id, move_id, name, date, parent_state, journal_id, company_id, account_id,
               balance, debit, credit, amount_currency, currency_id, company_currency_id, display_type, product_id,
               gl_linked, create_date, write_date, create_uid, write_uid)
        SELECT %(first_aml)s + 2 * (svl.id - %(first_svl)s) + side, %(first_move)s + (svl.id - %(first_svl)s),
               'bench', svl.posting_date, 'posted', %(journal)s, %(company)s,
               CASE WHEN side = 0 THEN %(val)s
                    WHEN svl.gl_counterpart_type = 'stock_input' THEN %(stock_in)s
                    WHEN svl.gl_counterpart_type = 'stock_output' THEN %(stock_out)s ELSE %(diff)s END,
               amount, GREATEST(amount, 0), GREATEST(-amount, 0), amount, %(currency)s, %(currency)s, 'product',
               svl.product_id, TRUE, now(), now(), %(uid)s, %(uid)s
          FROM stock_valuation_layer svl,
               LATERAL (VALUES (0, svl.value), (1, -svl.value)) AS s(side, amount)
         WHERE svl.description = 'bench'
    """, params)
    cr.execute("""
        INSERT INTO stock_valuation_layer_gl_link (svl_id, move_line_id, account_id, account_type, amount,
               company_id, lock_date_moved)
        SELECT svl.id, %(first_aml)s + 2 * (svl.id - %(first_svl)s) + side,
               CASE WHEN side = 0 THEN %(val)s
                    WHEN svl.gl_counterpart_type = 'stock_input' THEN %(stock_in)s
                    WHEN svl.gl_counterpart_type = 'stock_output' THEN %(stock_out)s ELSE %(diff)s END,
               CASE WHEN side = 0 THEN 'inventory' ELSE svl.gl_counterpart_type END, amount, %(company)s, FALSE
          FROM stock_valuation_layer svl,
               LATERAL (VALUES (0, svl.value), (1, -svl.value)) AS s(side, amount)
         WHERE svl.description = 'bench'
    """, params)
    cr.execute("SELECT setval('account_move_id_seq', (SELECT max(id) FROM account_move))")
    cr.execute("SELECT setval('account_move_line_id_seq', (SELECT max(id) FROM account_move_line))")
    cr.execute("ANALYZE stock_valuation_layer; ANALYZE account_move; ANALYZE account_move_line; "
               "ANALYZE stock_valuation_layer_gl_link")
    print("seeded %d value entries, %d journal items in %.0f s" % (n_svl, 2 * n_svl, time.time() - t0))


def timed(fn, repeat):
    times = []
    for _i in range(repeat):
        env_start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - env_start)
    return result, times


def main():
    args, registry = open_database((("--svl",), dict(type=int, default=1_000_000)),
                                   (("--repeat",), dict(type=int, default=3)))
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        cr.execute("SELECT count(*) FROM stock_valuation_layer WHERE description = 'bench'")
        have = cr.fetchone()[0]
        if have != args.svl:
            if have:
                raise SystemExit("database %s holds %d bench entries; drop it to seed %d"
                                 % (args.database, have, args.svl))
            seed(env, args.svl)
            cr.commit()
            # what autovacuum does on a live database: index-only scans need the visibility map
            subprocess.run(["vacuumdb", "--analyze", "-q", "-t", "account_move_line", "-t", "stock_valuation_layer",
                            "-t", "stock_valuation_layer_gl_link", args.database], check=True)
        company = env.ref("base.main_company")
        cr.execute("SELECT count(*) FROM stock_valuation_layer")
        n_svl = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM account_move_line")
        n_aml = cr.fetchone()[0]

    def in_transaction(fn):
        """Each measurement in its own transaction, as each web request is."""
        def run():
            with registry.cursor() as cr2:
                result = fn(api.Environment(cr2, SUPERUSER_ID, {"allowed_company_ids": company.ids}))
                cr2.rollback()
                return result
        return run

    def matrix(date_from, date_to):
        return in_transaction(lambda env: env["stock.inventory.gl.reconciliation"].create({
            "company_id": company.id, "date_from": date_from, "date_to": date_to}).get_matrix())
    rows, t_year = timed(matrix("2025-01-01", "2025-12-31"), args.repeat)
    _rows, t_month = timed(matrix("2025-06-01", "2025-06-30"), args.repeat)

    measures = ["inventory_amount:sum", "invoicing_amount:sum", "gl_amount:sum", "difference:sum", "__count"]
    pivot_groupbys = ([], ["account_type"])
    _p, t_pivot = timed(in_transaction(lambda env: [
        env["stock.inventory.gl.reconciliation.line"]._read_group([], gb, measures) for gb in pivot_groupbys]),
        args.repeat)

    def pivot_concurrent():
        # the web pivot sends its grouped reads at once (Promise.all): one transaction each, in threads
        threads = [threading.Thread(target=in_transaction(
            lambda env, gb=gb: env["stock.inventory.gl.reconciliation.line"]._read_group([], gb, measures)))
            for gb in pivot_groupbys]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    _c, t_pivot_concurrent = timed(pivot_concurrent, args.repeat)

    native_measures = ["value:sum", "remaining_value:sum", "remaining_qty:sum", "__count"]
    _n, t_native = timed(in_transaction(lambda env: [
        env["stock.valuation.layer"]._read_group([], gb, native_measures)
        for gb in ([], ["categ_id"], ["create_date:month"], ["categ_id", "create_date:month"])]), args.repeat)

    best = min
    print("Inventory - G/L Reconciliation benchmark: %d value entries, %d journal items, 2 cores" % (n_svl, n_aml))
    print("  %-44s %8s %8s  %s" % ("measure", "best s", "median s", "target"))
    for label, times, target in (("get_matrix(), one year", t_year, "< 2 s"),
                                 ("get_matrix(), one month", t_month, "< 2 s"),
                                 ("pivot default, its reads at once (as the web)", t_pivot_concurrent, "< 3 s"),
                                 ("pivot default, its reads one after another", t_pivot, ""),
                                 ("Odoo's Valuation pivot default (reference)", t_native, "")):
        print("  %-44s %8.2f %8.2f  %s" % (label, best(times), statistics.median(times), target))
    print("  ratio matrix (one year) / Odoo's Valuation pivot: %.2f" % (best(t_year) / best(t_native)))
    print("  ratio pivot default (at once) / Odoo's Valuation pivot: %.2f"
          % (best(t_pivot_concurrent) / best(t_native)))
    print("  peak memory (RSS): %.0f MB" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    inv = next(r for r in rows if r["account_type"] == "inventory")
    print("  matrix check: inventory ledger %.2f, G/L total %.2f, difference %.2f" % (
        inv["inventory"], inv["gl_total"], inv["difference"]))
    ok = best(t_year) < 2 and best(t_month) < 2 and best(t_pivot_concurrent) < 3
    print("  targets met" if ok else "  TARGETS MISSED")


if __name__ == "__main__":
    main()
