/** @odoo-module **/
import { registry } from "@web/core/registry";

const { DateTime } = luxon;

// A controller's month-end, clicked as a user clicks it (tests/test_ui.py prepares the data, once per language):
// open Post Inventory Cost to G/L from Invoicing > Inventory Costing, print the test report, post per posting
// group, read the run; open a value entry's journal items from Inventory > Reporting > Valuation; open the
// Inventory - G/L Reconciliation, show the matrix of last month, read the warning, click the difference down to
// the records behind it (their total is the cell), open the warning's remedy, print the PDF.
// Steps find elements by names and ids; only the texts the module translates (the warning, its explanation, the
// amounts in the language's number format) come from ``texts``.

// Open a menu item of the current app's top menu (section), as a user does.
function menu(section, item) {
    return [
        { trigger: `.o_menu_sections [data-menu-xmlid="${section}"]`, run: "click" },
        { trigger: `.dropdown-item[data-menu-xmlid="${item}"]`, run: "click" },
    ];
}

function app(xmlid) {
    return [
        { trigger: ".o_navbar_apps_menu button", run: "click" },
        { trigger: `.o_app[data-menu-xmlid="${xmlid}"]`, run: "click" },
    ];
}

function steps(texts) {
    const firstRow = ".o_field_widget[name=line_ids] .o_data_row:first";
    return [
        ...app("account.menu_finance"),
        ...menu("stock_account_gl_reconciliation.menu_account_inventory_cost",
                "stock_account_gl_reconciliation.menu_stock_inventory_cost_post"),
        { trigger: ".modal .o_field_widget[name=posting_method] input[data-value=per_posting_group]:checked" },
        { trigger: ".modal button[name=action_print_test_report]", run: "click" },
        // the test report is downloaded; the wizard stays open
        { trigger: ".modal button[name=action_run]", run: "click" },
        // the run record: posted, its journal entries, one value entry skipped (deprecated account)
        { trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value=done]" },
        { trigger: ".o_form_view button[name=action_open_moves]" },
        { trigger: ".o_form_view .o_notebook a.nav-link[name=skipped]", run: "click" },
        { trigger: ".o_form_view .o_field_widget[name=skipped_line_ids] .o_data_row:contains(Tour Skipped)" },
        // Inventory > Reporting > Valuation: one click from a value entry to the journal items it was posted to
        ...app("stock.menu_stock_root"),
        ...menu("stock.menu_warehouse_report", "stock_account.menu_valuation"),
        { trigger: ".o_list_view .o_data_row:contains(Tour Posted) button[name=action_open_gl_items]", run: "click" },
        { trigger: `.o_list_view .o_data_row:contains(${texts.posted})` },
        { trigger: ".o_breadcrumb .breadcrumb-item a", run: "click" },
        ...menu("stock.menu_warehouse_report",
                "stock_account_gl_reconciliation.menu_inventory_gl_reconciliation_stock"),
        // it opens on last month, the month of the receipts
        { trigger: `.o_form_view .o_field_widget[name=date_from] input:value(${texts.lastMonthStart})` },
        { trigger: ".o_form_view button[name=action_compute]", run: "click" },
        // the inventory row: the value not posted, its warning and, under the matrix, its explanation
        { trigger: `${firstRow}:contains(${texts.warning})` },
        { trigger: `.o_field_widget[name=warnings_html]:contains(${texts.help})` },
        { trigger: `${firstRow} a.o_gl_drilldown[name=action_open_difference]:contains(${texts.difference})`,
          run: "click" },
        // down to the records behind the difference: the skipped receipt among them, the total is the cell
        { trigger: ".o_list_view .o_data_row:contains(Tour Skipped)" },
        { trigger: `.o_list_view tfoot:contains(${texts.difference})` },
        { trigger: ".o_breadcrumb .breadcrumb-item a", run: "click" },
        // the warning's remedy: Post Inventory Cost to G/L for the period
        { trigger: `${firstRow} button[name=action_open_warning]`, run: "click" },
        { trigger: ".modal .o_field_widget[name=posting_method]" },
        { trigger: ".modal .modal-footer button.btn-secondary:last", run: "click" },
        { trigger: "body:not(:has(.modal))" },
        { trigger: ".o_form_view button[name=action_print]", run: "click" },
        { trigger: ".o_form_view .o_field_widget[name=line_ids] .o_data_row" },
    ];
}

// the texts of each language's pass (tests/test_ui.py sets the user's language)
const LANGUAGES = {
    stock_account_gl_reconciliation_tour: {
        warning: "Post Cost to G/L",
        help: "Run Post Inventory Cost to G/L",
        posted: "70.00",
        difference: "-30.00",
        dateFormat: "MM/dd/yyyy",
    },
    stock_account_gl_reconciliation_tour_es: {
        warning: "Registrar coste en contabilidad",
        help: "Ejecute Registrar variación inventario en contabilidad",
        posted: "70,00",
        difference: "-30,00",
        dateFormat: "dd/MM/yyyy",
    },
};

for (const [name, texts] of Object.entries(LANGUAGES)) {
    registry.category("web_tour.tours").add(name, {
        steps: () => steps({
            ...texts,
            lastMonthStart: DateTime.now().minus({ months: 1 }).startOf("month").toFormat(texts.dateFormat),
        }),
    });
}
