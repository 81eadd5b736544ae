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
        # a laptop screen (1366 × 768): every column of the matrix must show there
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(args.url + "/web/login")
        page.fill("input[name=login]", "admin")
        page.fill("input[name=password]", "admin")
        page.click("button[type=submit]")
        page.wait_for_selector(".o_main_navbar", timeout=120000)

        def shot(name, url, ready, click=None, then=None):
            """Open ``url``, wait for ``ready``, optionally click ``click`` and wait for ``then``."""
            page.goto(args.url + url)
            page.wait_for_selector(ready, timeout=60000)
            if click:
                page.click(click)
                page.wait_for_selector(then, timeout=60000)
            page.wait_for_timeout(1500)
            page.screenshot(path="%s/%s.png" % (args.out, name))
            print("[screenshots] %s/%s.png" % (args.out, name))

        action = "/odoo/action-stock_account_gl_reconciliation."
        # the reconciliation matrix of the demo data
        shot("reconciliation-matrix", action + "stock_inventory_gl_reconciliation_action",
             "button[name=action_compute]", "button[name=action_compute]",
             ".o_field_widget[name=line_ids] .o_data_row")
        # its analysis pivot
        shot("reconciliation-pivot", action + "stock_inventory_gl_reconciliation_line_action", ".o_pivot")
        # the latest posting run
        shot("posting-run", action + "stock_inventory_cost_post_run_action", ".o_data_row",
             ".o_data_row .o_data_cell", ".o_form_view .o_statusbar_status")
        # Inventory Valuation (BC 1001) of the demo data, grouped by category
        shot("inventory-valuation", action + "stock_inventory_valuation_action",
             ".modal button[name=action_open_lines]", ".modal button[name=action_open_lines]",
             ".o_list_view .o_data_row, .o_list_view .o_group_header")
        browser.close()


if __name__ == "__main__":
    main()
