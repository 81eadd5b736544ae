"""What the benchmarks share: their command line and database, the company's chart of accounts and the
reference every ratio is taken against, Odoo's own real-time posting of a delivery."""
import argparse
import os
import time

import odoo

# BENCH_SCALE (default 1): every benchmark's data sizes multiplied by it, e.g. 0.01 for the smoke run of dev/test
SCALE = float(os.environ.get("BENCH_SCALE") or 1)


def scaled(size):
    """``size`` (a count of products, orders, ...) at the run's BENCH_SCALE, at least 1."""
    return max(1, round(size * SCALE))


def open_database(*extra):
    """Parse the command line (``-c`` Odoo config, ``-d`` database, then ``extra``: ``(flags, options)`` pairs
    of ``argparse.add_argument``) and open the database: ``(args, registry)``."""
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    for flags, options in extra:
        parser.add_argument(*flags, **options)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    return args, odoo.modules.registry.Registry(args.database)


def ensure_chart(env):
    """The main company with Odoo's generic chart of accounts (loaded once); returns the company."""
    company = env.ref("base.main_company")
    if not env["account.account"].search_count([("company_ids", "in", company.id)]):
        company.country_id = env.ref("base.us")
        env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
    return company


def stock_accounts(env, company):
    """The valuation, stock input and stock output accounts of the generic chart, as category values."""
    chart = env["account.chart.template"].with_company(company)
    return {"property_stock_valuation_account_id": chart.ref("stock_valuation").id,
            "property_stock_account_input_categ_id": chart.ref("stock_in").id,
            "property_stock_account_output_categ_id": chart.ref("stock_out").id}


def native_real_time(env, deliveries):
    """Seconds per value entry for Odoo's own real-time posting: deliveries of an automated FIFO product
    validated one by one through ``stock.move._action_done`` (value entry + journal entry each)."""
    company = env.ref("base.main_company")
    categ = env["product.category"].create({"name": "Bench native real-time"})
    categ.write(dict(stock_accounts(env, company), property_valuation="real_time", property_cost_method="fifo"))
    product = env["product.product"].create({"name": "Native", "is_storable": True, "categ_id": categ.id})
    wh = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)

    def move(src, dest, qty, price=None):
        vals = {"name": "native", "product_id": product.id, "product_uom_qty": qty, "product_uom": product.uom_id.id,
                "location_id": src.id, "location_dest_id": dest.id, "company_id": company.id}
        if price:
            vals["price_unit"] = price
        m = env["stock.move"].create(vals)
        m._action_confirm()
        m.quantity = qty
        m.picked = True
        m._action_done()
    move(env.ref("stock.stock_location_suppliers"), wh.lot_stock_id, deliveries, 10.0)
    env.flush_all()
    t0 = time.perf_counter()
    for _i in range(deliveries):
        move(wh.lot_stock_id, env.ref("stock.stock_location_customers"), 1)
    env.flush_all()
    return (time.perf_counter() - t0) / deliveries
