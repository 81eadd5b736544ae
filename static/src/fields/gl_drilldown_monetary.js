/** @odoo-module **/
// An amount of the Inventory - G/L Reconciliation matrix that is its own drill-down: the amount is a link that runs
// the row's method named by the ``drilldown`` option (e.g. action_open_posted) and opens the records behind it;
// with the ``link_if`` option, only where that expression holds on the row, evaluated as a view's ``invisible``
// (e.g. ``not parent.has_filter``); elsewhere a plain amount.
import { evaluateBooleanExpr } from "@web/core/py_js/py";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { MonetaryField, monetaryField } from "@web/views/fields/monetary/monetary_field";

export class GlDrilldownMonetaryField extends MonetaryField {
    static template = "stock_account_gl_reconciliation.GlDrilldownMonetaryField";
    static props = {
        ...MonetaryField.props,
        drilldown: { type: String },
        linkIf: { type: String, optional: true },
    };

    get isLink() {
        return !this.props.linkIf || evaluateBooleanExpr(this.props.linkIf, this.props.record.evalContext);
    }

    setup() {
        super.setup();
        this.orm = useService("orm");
        this.actionService = useService("action");
    }

    async onClick(ev) {
        ev.stopPropagation();
        const record = this.props.record;
        const action = await this.orm.call(record.resModel, this.props.drilldown, [[record.resId]]);
        await this.actionService.doAction(action);
    }
}

export const glDrilldownMonetaryField = {
    ...monetaryField,
    component: GlDrilldownMonetaryField,
    extractProps: (fieldInfo, dynamicInfo) => ({
        ...monetaryField.extractProps(fieldInfo, dynamicInfo),
        drilldown: fieldInfo.options.drilldown,
        linkIf: fieldInfo.options.link_if,
    }),
};

registry.category("fields").add("gl_drilldown_monetary", glDrilldownMonetaryField);
