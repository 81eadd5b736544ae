/** @odoo-module **/
import { registry } from "@web/core/registry";

// A controller's month-end, clicked as a user clicks it (tests/test_ui.py prepares the data): open
// Post Inventory Cost to G/L from the Accounting menu, print the test report, post per posting group,
// read the run, open the Inventory - G/L Reconciliation from the Reporting menu, show the matrix, click
// the difference down to the value entries not posted, come back and print the PDF.
// Open a menu item of the current app's top menu (section), as a user does.
function menu(section, item) {
    return [
        { trigger: `.o_menu_sections [data-menu-xmlid="${section}"]`, run: "click" },
        { trigger: `.dropdown-item[data-menu-xmlid="${item}"]`, run: "click" },
    ];
}

registry.category("web_tour.tours").add("stock_account_gl_reconciliation_tour", {
    steps: () => [
        { trigger: ".o_navbar_apps_menu button", run: "click" },
        { trigger: '.o_app[data-menu-xmlid="account.menu_finance"]', run: "click" },
        ...menu("account.menu_finance_entries", "stock_account_gl_reconciliation.menu_stock_inventory_cost_post"),
        { trigger: ".modal .o_field_widget[name=posting_method] input[data-value=per_posting_group]:checked" },
        { trigger: ".modal button[name=action_print_test_report]", run: "click" },
        // the test report is downloaded; the wizard stays open
        { trigger: ".modal button[name=action_run]:contains(Post)", run: "click" },
        // the run record: one journal entry per posting date, one value entry skipped (deprecated account)
        { trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Posted)" },
        { trigger: ".o_form_view .o_stat_text:contains(Journal Entries)" },
        { trigger: ".o_form_view .o_notebook a.nav-link[name=skipped]", run: "click" },
        { trigger: ".o_form_view .o_field_widget[name=skipped_line_ids] .o_data_row:contains(deprecated)" },
        ...menu("account.menu_finance_reports",
                "stock_account_gl_reconciliation.menu_inventory_gl_reconciliation_account"),
        { trigger: ".o_form_view button[name=action_compute]", run: "click" },
        // the matrix: the inventory row shows the value not posted and its warning
        {
            trigger: ".o_field_widget[name=line_ids] .o_data_row:first:contains(Post Cost to G/L)",
        },
        // the warning's explanation, readable under the matrix
        { trigger: ".o_field_widget[name=warnings_html]:contains(Run Post Inventory Cost to G/L)" },
        {
            trigger: ".o_field_widget[name=line_ids] .o_data_row:first a.o_gl_drilldown[name=action_open_not_posted]",
            run: "click",
        },
        // down to the value entries: the skipped receipt
        { trigger: ".o_list_view .o_data_row:contains(Tour Skipped)" },
        { trigger: ".o_breadcrumb .breadcrumb-item a", run: "click" },
        { trigger: ".o_form_view button[name=action_print]", run: "click" },
        { trigger: ".o_form_view .o_field_widget[name=line_ids] .o_data_row" },
    ],
});
