from odoo.tests import TransactionCase, tagged

# the translations users of each language know from Business Central and Odoo
EXPECTED = {
    "es_ES": {"action": "Registrar variación inventario en contabilidad", "date_from": "Fecha de registro desde",
              "per_posting_group": "Por grupo contable", "button": "Informe de test"},
    "fr_FR": {"action": "Valider coûts inventaire dans GL", "date_from": "Date de comptabilisation début",
              "per_posting_group": "Par groupe comptabilisation", "button": "Rapport de test"},
    "sv_SE": {"action": "Bokför lagerkostnad i redovisningen", "date_from": "Bokföringsdatum från",
              "per_posting_group": "Per bokföringsmall", "button": "Testrapport"},
    "nl_NL": {"action": "Voorraadwaarde boeken naar grootboek", "date_from": "Boekingsdatum van",
              "per_posting_group": "Per boekingsgroep", "button": "Controlelijst"},
}


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    """Installing a language loads the module's catalogue: the posting wizard speaks it (action name,
    field labels, selection values, buttons of its form)."""

    def test_wizard_labels_translated(self):
        for lang, expected in EXPECTED.items():
            with self.subTest(lang=lang):
                self.env["res.lang"]._activate_lang(lang)
                self.env["ir.module.module"]._load_module_terms(["stock_account_gl_reconciliation"], [lang])
                env = self.env(context=dict(self.env.context, lang=lang))
                action = env.ref("stock_account_gl_reconciliation.stock_inventory_cost_post_action")
                self.assertEqual(action.name, expected["action"])
                Wizard = env["stock.inventory.cost.post"]
                fields = Wizard.fields_get(["date_from", "posting_method"], ["string", "selection"])
                self.assertEqual(fields["date_from"]["string"], expected["date_from"])
                self.assertEqual(dict(fields["posting_method"]["selection"])["per_posting_group"],
                                 expected["per_posting_group"])
                arch = Wizard.get_views([(False, "form")])["views"]["form"]["arch"]
                self.assertIn(expected["button"], arch)

    def test_reconciliation_warnings_translated(self):
        """The warnings of the reconciliation speak the user's language: the selection label of the code, the
        explanation of a matrix row on screen, and the texts the PDF prints."""
        expected = {
            "es_ES": ("Registro directo", "sin pasar por la contabilidad de inventario"),
            "fr_FR": ("Imputation directe", "sans passer par le livre d'inventaire"),
            "sv_SE": ("Direktbokföring", "förbi lagerredovisningen"),
            "nl_NL": ("Directe boeking", "buiten het voorraadgrootboek om"),
        }
        for lang, (label, explanation) in expected.items():
            with self.subTest(lang=lang):
                self.env["res.lang"]._activate_lang(lang)
                self.env["ir.module.module"]._load_module_terms(["stock_account_gl_reconciliation"], [lang])
                env = self.env(context=dict(self.env.context, lang=lang))
                wizard = env["stock.inventory.gl.reconciliation"].create({"company_id": env.company.id})
                row = env["stock.inventory.gl.reconciliation.matrix"].create({
                    "wizard_id": wizard.id, "account_type": "inventory", "warning_code": "direct_posting"})
                selection = dict(row.fields_get(["warning_code"], ["selection"])["warning_code"]["selection"])
                self.assertEqual(selection["direct_posting"], label)
                self.assertIn(explanation, row.warning_help)
                report = env["report.stock_account_gl_reconciliation.report_invt_gl_recon"]
                values = report._get_report_values(wizard.ids)
                self.assertEqual(values["warnings"]["direct_posting"][0], label)
                self.assertIn(explanation, values["warnings"]["direct_posting"][1])

    def test_account_types_translated(self):
        """Account types speak the user's language wherever the module shows them: the matrix rows, the posting
        run's totals, Suggest Accounts' notification."""
        expected = {"es_ES": "Salida de stock (CV provisional)", "fr_FR": "Sortie de stock (CMV attente)",
                    "sv_SE": "Lager utgående (KSV interim)", "nl_NL": "Voorraadafname (KPV interim)"}
        for lang, label in expected.items():
            with self.subTest(lang=lang):
                self.env["res.lang"]._activate_lang(lang)
                self.env["ir.module.module"]._load_module_terms(["stock_account_gl_reconciliation"], [lang])
                env = self.env(context=dict(self.env.context, lang=lang))
                wizard = env["stock.inventory.gl.reconciliation"].create({"company_id": env.company.id})
                wizard.action_compute()
                self.assertEqual(wizard.line_ids.filtered(lambda row: row.account_type == "stock_output").name, label)
                # the PDF of the matrix: the same rows
                html = env["ir.actions.report"]._render_qweb_html(
                    "stock_account_gl_reconciliation.report_invt_gl_recon", wizard.ids)[0].decode()
                self.assertIn(label, html)
                self.assertNotIn("Stock Output (COGS Interim)", html)
                run = env["stock.inventory.cost.post.run"].create({"name": "R", "company_id": env.company.id,
                                                                   "state": "nothing"})
                self.assertIn(("stock_output", label), [(key, name) for key, name, _amount in run._totals()])
