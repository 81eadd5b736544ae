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
