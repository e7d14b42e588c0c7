"""Every behaviour gp.md §22 lists ("What a real GP server enforces that a lenient imitation lets
through"), next to the test that shows the stand-in enforcing it. The test below keeps the list
honest: each named test must exist. Names ending in `_inferred` rest on a fact gp.md marks
inferred (/_sandbox/help lists them)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
STRICT = "sandbox/test_gp_strict_gp.py"
POLICIES = "sandbox/test_gp_policies.py"
RESPONSES = "contract/test_gp_strict_responses.py"
SBA = "sandbox/test_gp_sba_shapes.py"

BEHAVIOURS: list[tuple[str, str]] = [
    # Responses
    ("Responses: every minOccurs=1 nillable element present, xsi:nil when empty, schema order; "
     "a strict zeep client reads every response type",
     f"{RESPONSES}::test_every_served_result_is_read_strictly_and_is_not_empty"),
    ("Responses: the model carries every required element of GP's types",
     f"{RESPONSES}::test_every_modelled_type_carries_every_required_element_of_gps_type"),
    ("Responses: no test parses leniently", f"{RESPONSES}::test_the_client_is_strict"),
    # Policies
    ("Policies: GP's defaults (Calculate Unit Price/Total Amount = Calculate, distributions "
     "Automatically, Customer Class Defaulting = Do Not Use)",
     f"{POLICIES}::test_fresh_install_has_gps_defaults_for_every_document_operation"),
    ("Policies: per company and role; no RoleKey and several roles -> the default policy",
     f"{POLICIES}::test_user_in_several_roles_gets_the_default_policy_without_a_role_key"),
    ("Policies: changed by the administrator (control plane)",
     f"{POLICIES}::test_the_administrator_changes_a_policy_through_the_control_plane"),
    ("Policies: CreatePolicy / UpdatePolicy by an administrator",
     f"{POLICIES}::test_create_and_update_policy_for_a_role_by_an_administrator"),
    ("Policies: internal behaviours cannot be changed by the caller",
     f"{POLICIES}::test_internal_behaviour_changed_by_the_caller_is_ignored"),
    ("Policies: the configured role's instance (README set-up)",
     f"{POLICIES}::test_configured_gp_gives_the_connector_role_its_instance"),
    ("Policies: Calculate Unit Price re-prices from the price list",
     "contract/test_gp_soap_real_wsdl.py::test_calculate_unit_price_reprices_from_the_price_list"),
    ("Policies: Automatically builds distributions, supplied ones ignored; taxes computed",
     f"{STRICT}::test_fresh_gp_computes_tax_per_detail_and_ignores_what_was_sent"),
    ("Policies: provided distributions must exist and balance",
     f"{STRICT}::test_gl_account_must_exist_with_gps_error_716"),
    # Tax
    ("Tax: computed from schedules, rounded per detail",
     f"{STRICT}::test_per_detail_rounding_differs_from_rounding_the_sum"),
    ("Tax: a tax detail must exist (TX00201)",
     f"{STRICT}::test_process_hold_tax_detail_site_price_level_and_uofm_must_exist"),
    ("Tax: header tax different from the sum of its details refused (712 analogue, inferred)",
     f"{STRICT}::test_provided_header_tax_must_equal_its_details"),
    ("Tax: a header tax with no details at all is refused when taxes are provided",
     f"{STRICT}::test_header_tax_without_details_is_refused_when_taxes_are_provided"),
    ("Tax: freight taxed by the freight schedule's details common with the document's "
     "(8.875 % on goods and shipping in NY)",
     "sandbox/test_gp_tax.py::test_freight_is_taxed_by_the_freight_schedule_in_the_taxed_state"),
    ("Tax: no schedule, no tax (an untaxed state)",
     "sandbox/test_gp_tax.py::test_an_order_shipped_where_no_tax_is_collected_is_not_taxed"),
    ("Tax: freight untaxed by a detail its schedule lacks",
     "sandbox/test_gp_tax.py::test_freight_is_taxed_only_by_details_common_to_both_schedules"),
    ("Tax: tax kept per line per detail (SOP10105), adding up to the document's detail",
     "sandbox/test_gp_tax.py::"
     "test_each_line_keeps_its_tax_per_detail_and_the_lines_add_up_to_the_document"),
    ("Tax: a document tax schedule must exist (7023)",
     "sandbox/test_gp_tax.py::test_a_document_tax_schedule_that_does_not_exist_is_refused_with_7023"),
    ("Tax: a line tax detail must exist (TX00201; inferred for SOP lines)",
     "sandbox/test_gp_tax.py::test_provided_line_tax_detail_that_does_not_exist_is_refused_inferred"),
    ("Tax: a line's tax different from its details refused (inferred)",
     "sandbox/test_gp_tax.py::test_provided_line_tax_different_from_its_details_is_refused_inferred"),
    ("Tax: header tax different from the line details refused (inferred)",
     "sandbox/test_gp_tax.py::"
     "test_provided_header_tax_different_from_the_line_details_is_refused_inferred"),
    ("Tax: freight tax must equal its details and counts in the header tax (inferred)",
     "sandbox/test_gp_tax.py::"
     "test_provided_freight_tax_must_equal_its_details_and_count_in_the_header_inferred"),
    # Line amounts
    ("Line amounts: round(extended / quantity) = unit price, both documented cases (inferred)",
     f"{STRICT}::test_line_check_documented_cases_inferred"),
    ("Line amounts: over SOAP, error 722",
     f"{STRICT}::test_line_unit_and_extended_price_check_over_soap_inferred"),
    # Setup rows
    ("Setup rows: payment card type (SY03100) and checkbook (CM00100)",
     f"{STRICT}::test_payment_card_type_and_checkbook_must_exist"),
    ("Setup rows: process hold, tax detail, site, price level, U of M",
     f"{STRICT}::test_process_hold_tax_detail_site_price_level_and_uofm_must_exist"),
    ("Setup rows: GL account (716)", f"{STRICT}::test_gl_account_must_exist_with_gps_error_716"),
    ("Setup rows: each listed by its real list operation",
     f"{STRICT}::test_every_setup_list_answers_from_gps_list_operation"),
    ("Setup rows: card types listed by GetPaymentCardTypeList",
     f"{STRICT}::test_card_types_are_listed_by_gps_list_operation"),
    ("Setup rows: a fresh install has none of the connector's",
     f"{STRICT}::test_fresh_gp_has_none_of_the_connectors_setup"),
    # Keys
    ("Keys: trailing spaces and case ignored (duplicates and lookups)",
     f"{STRICT}::test_trailing_spaces_and_case_make_the_same_key"),
    ("Keys: customers created, updated and read as SQL Server matches them",
     f"{STRICT}::test_customer_keys_compare_as_sql_server_for_create_update_and_read"),
    ("Batches: a void refused while the batch is being posted",
     f"{STRICT}::test_void_refused_while_the_batch_is_being_posted"),
    ("SBA: the batch posting action public code shows",
     "sandbox/test_gp_capacity.py::test_sba_posts_a_batch_with_the_custom_action_header"),
    ("Keys: binary sort order as an option (inferred)",
     f"{STRICT}::test_binary_collation_keeps_case_apart_but_not_trailing_spaces"),
    # Batches
    ("Batches: states, marked, being posted refused, interrupted, posted batch gone",
     f"{STRICT}::test_batch_states_posting_refuses_new_documents_and_posting_ends_the_batch"),
    ("Batches: inventory adjustments need a batch",
     f"{STRICT}::test_inventory_adjustment_needs_a_batch"),
    # Locks
    ("Locks: a document in use -> validation exception until released",
     f"{STRICT}::test_a_document_in_use_refuses_update_and_void_until_released"),
    ("Locks: a batch in use",
     f"{STRICT}::test_a_batch_in_use_refuses_new_documents_until_released"),
    # Stock
    ("Stock: shortage with no option refused (4776)",
     f"{STRICT}::test_shortage_refused_when_no_option_applies"),
    ("Stock: back order / cancel the balance per the customer's default",
     f"{STRICT}::test_shortage_back_orders_or_cancels_the_balance_per_customer"),
    ("Stock: override shortage, on purpose (eConnect's default, inferred)",
     f"{STRICT}::test_override_shortage_allocates_past_zero_on_purpose"),
    # Latency and concurrency
    ("Latency: per-operation distribution; N service processes with queueing; NTLM legs free",
     "sandbox/test_gp_capacity.py::test_requests_queue_when_every_service_process_is_busy"),
    ("Latency: NTLM handshake legs are not delayed",
     "sandbox/test_gp_capacity.py::test_ntlm_handshake_legs_are_not_delayed"),
    # SBA
    ("SBA: evidence modelled, unknowns listed as unknown in /help",
     "sandbox/test_gp_capacity.py::test_sba_help_lists_what_is_unknown"),
    ("SBA in practice: request bodies wrapped as {\"Payload\": {...}}, refused (400) without",
     f"{SBA}::test_a_body_without_payload_is_refused_with_400"),
    ("SBA in practice: XML answers unless the URL ends in .json",
     f"{SBA}::test_answers_are_xml_unless_the_url_ends_in_json"),
    ("SBA in practice: items as ItemNumber, ItemDescription, ItemShortName, UOfMSchedule",
     f"{SBA}::test_item_fields_are_patched_by_their_public_names"),
    ("SBA in practice: batches posted at PostingServices/System/Batches with GP-Custom-Action",
     f"{SBA}::test_batch_posting_needs_the_gp_custom_action_header"),
    ("SBA in practice: /help marks each route and shape public or INFERRED",
     f"{SBA}::test_help_marks_every_route_public_or_inferred"),
    ("SBA in practice: the rest discovered from /help, degrading per capability (check says so)",
     "core/test_gp_sba.py::"
     "test_help_without_the_item_patch_makes_item_updates_unavailable_and_check_says_so"),
    ("SBA in practice: the client's XML reading of /help and of a default answer",
     "core/test_gp_sba.py::test_help_is_read_as_xml_and_an_xml_answer_reads_like_the_json_one"),
]


def _test_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}


@pytest.mark.parametrize("behaviour, test", BEHAVIOURS, ids=[b for b, _ in BEHAVIOURS])
def test_each_section_22_behaviour_names_an_existing_test(behaviour, test):
    file, _, name = test.partition("::")
    path = TESTS / file
    assert path.exists(), f"{behaviour}: {file} is missing"
    assert name in _test_names(path), f"{behaviour}: {name} is not in {file}"
