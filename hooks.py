import logging

from odoo import fields

_logger = logging.getLogger(__name__)


def post_init_hook(env):
    """Back-fill the value-entry fields of every existing SVL with set-based SQL and link the journal
    entries Odoo's real-time valuation already posted. Manual-valuation history is not posted: each
    company's "Post inventory cost from" date defaults to the install date, so older entries are
    'not to post'. Asks nothing. Set-based: per company, one UPDATE for the fields, one INSERT ... SELECT
    for the links and one UPDATE for the status (timings at scale are measured in bench/, issue 5). The
    value-entry applications are rebuilt by replaying Odoo's FIFO order (set-based, see
    ``stock.valuation.layer.application._gl_rebuild``)."""
    today = fields.Date.context_today(env["res.company"])
    env["stock.valuation.layer"]._gl_set_batch_session()  # set-based statements over every SVL
    env.cr.execute("UPDATE res_company SET gl_post_cost_from = %s WHERE gl_post_cost_from IS NULL", (today,))
    env["res.company"].invalidate_model(["gl_post_cost_from"])
    SVL = env["stock.valuation.layer"]
    SVL._gl_fill_value_entry_fields(all_records=True)
    linked = SVL._gl_sync_native_postings()  # also flags the journal items it links (gl_linked)
    # which receipt each delivery consumed, replayed from Odoo's FIFO order (cost adjustment reads it)
    env["stock.valuation.layer.application"]._gl_rebuild()
    env.cr.execute("SELECT gl_state, count(*) FROM stock_valuation_layer GROUP BY gl_state")
    _logger.info("Value entries back-filled: %s; %s linked to existing journal entries",
                 dict(env.cr.fetchall()), len(linked))
