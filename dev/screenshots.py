"""dev/screenshots — README screenshots of gl_demo taken with headless Chromium (Debian's, through
Playwright's driver: no browser download). Expects Odoo serving gl_demo on --url (dev/screenshots starts it).

Takes: the reconciliation matrix, its analysis pivot, a posting run, the Inventory Valuation pivot."""
import argparse

from playwright.sync_api import sync_playwright


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--out", default="docs")
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1600, "height": 900})
        page.goto(args.url + "/web/login")
        page.fill("input[name=login]", "admin")
        page.fill("input[name=password]", "admin")
        page.click("button[type=submit]")
        page.wait_for_selector(".o_main_navbar", timeout=120000)

        def shot(name):
            page.wait_for_timeout(1500)
            page.screenshot(path="%s/%s.png" % (args.out, name))
            print("[screenshots] %s/%s.png" % (args.out, name))

        # the reconciliation matrix of the demo month
        page.goto(args.url + "/odoo/action-stock_account_gl_reconciliation.stock_inventory_gl_reconciliation_action")
        page.wait_for_selector("button[name=action_compute]", timeout=60000)
        page.click("button[name=action_compute]")
        page.wait_for_selector(".o_field_widget[name=line_ids] .o_data_row", timeout=60000)
        shot("reconciliation-matrix")
        # its analysis pivot
        page.goto(args.url + "/odoo/action-stock_account_gl_reconciliation.stock_inventory_gl_reconciliation_line_action")
        page.wait_for_selector(".o_pivot", timeout=60000)
        shot("reconciliation-pivot")
        # the latest posting run
        page.goto(args.url + "/odoo/action-stock_account_gl_reconciliation.stock_inventory_cost_post_run_action")
        page.wait_for_selector(".o_data_row", timeout=60000)
        page.click(".o_data_row .o_data_cell")
        page.wait_for_selector(".o_form_view .o_statusbar_status", timeout=60000)
        shot("posting-run")
        # Inventory Valuation (BC 1001) of the demo data, as a pivot by category and entry type
        page.goto(args.url + "/odoo/action-stock_account_gl_reconciliation.stock_inventory_valuation_action")
        page.wait_for_selector(".modal button[name=action_open_lines]", timeout=60000)
        page.click(".modal button[name=action_open_lines]")
        page.wait_for_selector(".o_list_view .o_data_row, .o_list_view .o_group_header", timeout=60000)
        shot("inventory-valuation")
        browser.close()


if __name__ == "__main__":
    main()
