package sanitize

import "slices"

// Cross-language lexicon of the signal layer (signals.go). Each language
// lists words in categories; entries are separated by spaces, words of a
// phrase joined by '_', and a trailing '*' matches any word starting with
// the stem (at least four letters). Entries are folded like the text
// (lower case, Latin accents removed, NFKC), so they may be written with
// accents. Scripts written without spaces (Chinese, Japanese, Thai) are
// matched as substrings of up to six characters.
//
// Categories:
//
//	ai      names for an AI reader: AI, language model, chatbot, LLM, named assistants
//	asst    softer names: assistant, agent, bot, model (chat logs use them too)
//	reader  phrases addressing whoever processes the text: "whoever reads", "if you summarise"
//	ovr     override verbs: ignore, disregard, forget, bypass
//	instr   the reader's instructions: instructions, rules, prompt, guidelines
//	prev    previous, earlier, above, original, system
//	act     risky actions: send, forward, transfer, refund, cancel, delete, export, reveal, print
//	sens    secrets and personal data: password, token, API key, system prompt, birth date, ID number
//	others  other people's data: all customers, other customers, every order, the whole database
//	dir     directive force: immediately, must, urgent, pre-approved, authorized, administrator
//	conceal secrecy: do not tell the user, silently, without confirmation
//	say     assertions asked of a reader: say, reply, state, confirm, mark as
//	neg     never (anti-phishing footers: "we will never ask for your password")
//	fn      tool or function calls: call the tool, execute, run the function
//	third   someone else's data: the recipient's, the customer's, the account holder's
//	self    the reader's own set-up: your system prompt, your tools, the environment variables you can access
//	meta    talk about attacks: prompt injection, phishing, attacker, for example
//	reveal  disclosure verbs (also actions): reveal, print, repeat, quote, show
//	skip    skipping a check: without approval, skip verification, don't bother confirming
//	output  the reader's output: replies to this sender, every answer, the summary must
//	only    a claim to be the only instructions: follow only this message
//
// English is here; the other languages are in lexicon_*.go, a file per
// region, each a list of lexLang that lexicons joins. A language may have
// more than one entry: their words add up.
type lexLang struct {
	lang                                                       string
	ai, asst, reader, ovr, instr, prev, act, sens, others, dir string
	conceal, say, neg, fn                                      string
	third, self, meta, reveal, skip, output, only              string
}

var lexicon = []lexLang{
	{lang: "en",
		only:    `follow_only_this only_follow_this obey_only_this only_obey only_source_of_instructions your_only_source treat_this_ticket_as treat_the_text_of_this act_only_on only_on_what_this`,
		output:  `the_summary_must the_summary_should reply_template response_template every_answer every_reply responses_about_this replies_about_this answers_about_this replies_to_this_sender responses_to_this_sender action_items_for_you replies_generated generated_for_this all_replies every_generated automated_replies automated_responses any_automated_response to_your_reply in_your_reply attach_it_to_your_reply in_your_answer in_your_response`,
		skip:    `skip_identity_verification skip_verification skip_the_verification bypass_verification skip_security no_approval_needed no_approval_required approval_not_needed don't_bother_confirming dont_bother_confirming don't_bother no_need_to_confirm skip_the_check skip_the_approval skip_approval skip_the_approval_step without_approval bypass_approval no_questions_asked bcc must_bcc no_need_to_verify without_verification`,
		reveal:  `reveal reveals disclose print repeat quote quote_back output dump leak list_all tell_me give_me include share show paste list_them list word_for_word verbatim read_me_back read_back read_out do_you_have_stored you_have_stored what_do_you_have_on_file echo echo_back`,
		meta:    `prompt_injection prompt_injections injection_attack phishing phishers attacker attackers scam scammers fraudsters social_engineering for_example such_as e.g. training_note awareness red_team red-team pentest penetration_test testers tried_to_make messages_like phrases_like attempts_were_blocked jailbreak jailbreaks if_an_e-mail_says if_an_email_says if_someone_asks trick tricks common_trick scam fraud fraudulent suspicious beware be_careful impersonat* spoof* malicious red_flag red_flags never_act_on such_emails such_messages such_requests`,
		self:    `your_system_prompt your_prompt your_instructions_verbatim your_tool_list your_tools tool_list list_of_tools your_functions your_configuration your_api_key the_api_key your_credentials environment_variables env_vars system_prompt hidden_instructions developer_message override_mode safety_checks_off safety_off checks_off filters_off guardrails_off god_mode dan_mode unrestricted_mode your_context_window context_window your_context which_tools_you_have tools_you_have what_tools_you tools_you_can_use tools_you_can_call functions_you_can_call what_credentials you_used_for headers_you the_headers_you you_can_access records_you_can_access everything_you_can_access`,
		third:   `the_recipient's the_recipients the_customer's the_customers_full the_client's the_account_holder's the_holder's the_cardholder's the_sender's the_caller's their_password recipient's customer's_full other_customers other_customer's other_clients other_users other_accounts from_other_customers previous_customer's previous_customer another_customer's another_customer other_people's for_this_client for_this_customer on_this_account this_customer's this_client's on_file my_husband's my_wife's someone_else's my_partner's my_neighbour's my_neighbor's my_colleague's my_boss's do_you_have_stored you_have_stored stored_for on_file_for you_have_on_file you_have_for notes_from_other_agents from_other_agents`,
		ai:      `ai a.i. artificial_intelligence llm llms language_model language_models large_language_model chatbot chatbots gpt chatgpt claude gemini copilot ai_assistant ai_agent ai_model ai_system virtual_assistant automated_assistant automated_agent assistant_ai digital_helper digital_assistant bots_take_note llm-based ai-based support_bot triage_bot summary_bot`,
		asst:    `assistant assistants agent agents bot bots model copilot`,
		reader:  `whoever_reads whoever_is_reading whoever_summarises whoever_summarizes whoever_drafts anyone_reading any_reader the_reader if_you_are_an if_you_summarise if_you_summarize if_an_assistant if_an_agent if_any_assistant when_you_summarise when_you_summarize when_summarising when_summarizing when_summarizing to_the_model automated_reader automated_readers automated_systems automated_processing the_system_processing any_system_processing you_saw you_have_seen you_ve_seen in_this_session in_this_conversation in_this_chat earlier_in_this_session earlier_in_this_conversation whoever_prepares whoever_reviews whoever_triages anyone_processing any_automated any_ai automated_tool automated_tools automated_review note_for_the_bot note_to_the_bot if_this_is_being_read if_this_is_processed if_you_re_an if_you_are_a_bot if_you_are_a_language to_the_ai to_any_ai to_whichever_ai whichever_ai ai_reading ai_processing model_reading the_model_reading when_you_process when_processing_this when_you_draft when_drafting reply_generator response_generator summary_generator the_summariser the_summarizer whichever_tool whichever_system whichever_assistant whichever_agent whichever_model whoever_writes whatever_tool writes_the_summary generates_the_summary prepares_the_summary writes_the_case any_automation or_automation automated_assistant the_workflow support_workflow hello_model hey_model hi_model dear_model hello_there_model before_doing_anything_else before_you_do_anything this_paragraph_is_for this_part_is_for this_section_is_for for_the_virtual_assistant you_were_told you_were_given you_were_set_up you_were_instructed you_were_configured you_have_been_told you_ve_been_told you_started_this_conversation you_started_with what_you_were_told this_note_is_your your_only_brief your_only_instruction only_this_note only_on_what_this act_only_on follow_only_this obey_only_this only_obey_this is_going_to_read going_to_read_this will_read_this will_be_reading_this in_the_loop any_llm automated_handling for_automated ai_desk the_ai_desk drafting_assistant your_operator as_agreed_with_your when_this_message_is_summarised when_this_message_is_summarized when_this_is_summarised when_this_is_summarized for_this_session whoever_or_whatever whatever_is_parsing whatever_is_reading whatever_reads is_parsing_this parsing_this software_reading the_software_reading if_this_message_is_being if_this_message_is_processed if_this_is_being_processed if_this_is_processed anything_summarising anything_summarizing anyone_summarising anyone_summarizing whatever_summarises whatever_summarizes summarising_this_thread summarizing_this_thread summarising_this_email summarizing_this_email assistant-facing ai-facing model-facing bot-facing for_the_llm`,
		ovr:     `ignore* disregard* forget* bypass* override* overrid* circumvent* is_cancelled are_cancelled is_canceled are_canceled no_longer_applies no_longer_apply no_longer_valid no_longer_counts no_longer_count are_outdated is_outdated have_been_replaced has_been_replaced takes_precedence take_precedence consider_your_configuration new_instruction new_instructions new_policy new_rules withdrawn hereby_withdrawn are_void is_void are_invalid is_invalid abolished revoked null_and_void obsolete is_obsolete are_obsolete`,
		instr:   `instruction instructions rules guideline guidelines guidance prompt prompts directive directives system_prompt system_message programming guardrails policies configuration configuration brief setup your_original_brief original_brief your_brief`,
		prev:    `previous prior earlier above original initial existing preceding former your_own`,
		act:     `send sending forward* transfer* wire refund* cancel* delete* erase export* reveal* print* disclose* dump upload* leak* share exfiltrat* email_the email_it cc_to post_to approve* change_the_bank update_the_bank grant* elevate* escalate* repeat include output list_all give_me tell_me reply_with respond_with append attach* quote quote_back look_up change_the_payout change_the_iban store_credit resend disable disable_the remove_the_limit raise_the_limit lift_the_limit raise update_the_account set_the_account sharing shared_with sending forwarding exporting deleting revealing`,
		sens:    `password passwords passcode credential credentials api_key api_keys apikey secret secrets token tokens access_token bearer private_key ssh_key system_prompt your_instructions your_prompt hidden_instructions tool_list your_tools list_of_tools environment_variables date_of_birth birth_date birthdate dob social_security ssn id_number passport_number national_id card_number credit_card cvv iban bank_details bank_account account_number routing_number otp one-time_code verification_code 2fa mfa conversation_history chat_history internal_notes payout_account password_reset admin_rights administrator_rights admin_access root_access email_addresses e-mail_addresses phone_numbers home_addresses contact_details security_code card_expiry expiry_date security_answer security_question security_answers credit_limit phone_number session_cookie session_cookies authentication_headers auth_headers authorization_header cookie cookies recovery_codes backup_codes two-factor admin_account`,
		others:  `other_customers other_customer's other_clients other_users other_accounts all_customers all_customer all_clients all_users all_contacts all_accounts all_records all_orders every_customer every_order every_account every_contact every_record entire_database whole_database full_customer customer_list contact_list mailing_list all_the_customers all_of_the_customers previous_customer's previous_customer another_customer's another_customer other_customer's other_people's any_caller anyone_who_asks any_caller's contacts_table customer_table customers_table crm_export user_table users_table the_whole_crm notes_from_other_agents from_other_agents other_agents' other_agents`,
		dir:     `immediately urgent urgently asap right_now now must mandatory required obligatory pre-approved preapproved pre_approved already_approved authorized authorised authorization standing_instruction standing_arrangement standing_order by_order_of on_behalf_of compliance_requires without_delay no_need_to_ask do_not_ask don't_ask without_asking without_confirmation without_confirming without_checking without_verifying no_need_to_check you_have_permission you_are_authorized you_are_authorised you_are_allowed has_been_authorised has_been_authorized pre-authorised pre-authorized preauthorised preauthorized go_ahead_and said_it's_fine signed_off has_signed_off approved_it okayed agreed_with_the_manager the_manager_agreed`,
		conceal: `do_not_tell don't_tell dont_tell do_not_mention don't_mention dont_mention do_not_inform don't_inform without_telling without_informing without_notifying silently quietly secretly covertly do_not_reveal_this keep_this_between do_not_disclose_this don't_disclose_this the_user_will_not_see the_user_must_not_know never_mention not_visible_to_the_user hide_this without_asking_the_user without_asking_the_customer without_confirming_with_the without_checking_with_the no_need_to_ask_the don't_ask_the do_not_ask_the without_their_consent don't_log_this don't_log do_not_log without_logging leave_no_trace`,
		say:     `say reply respond answer state tell_the_user tell_them report_that confirm mark_as mark_it describe_it summarise_it_as summarize_it_as classify_it_as rate_it list_it_as treat_it_as in_your_reply in_your_answer in_your_response in_the_reply in_the_answer in_the_summary in_your_summary record_that note_that log_that write_that put_it_in_your in_your_first_line your_first_line at_the_top_of_your mark mark_every mark_all describe_me describe_the_customer marked_as be_marked_as mention begin_every begin_your start_every start_your describe describe_the treat_the_sender_as treat_the_customer_as treat_as`,
		neg:     `never`,
		fn:      `call_the call_tool invoke* execute* run_the run_it function tool tool_call function_call api_call`},
}

// lexicons returns every language's entries, English first.
func lexicons() []lexLang {
	return slices.Concat(lexicon, lexiconWest, lexiconNorthEast, lexiconMiddleEast, lexiconSouthAsiaAfrica, lexiconEastAsia)
}
