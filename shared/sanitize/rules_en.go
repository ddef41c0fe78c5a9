package sanitize

import (
	"strings"
)

// English rules. They match the latin copy (lower-case ASCII words
// separated by single spaces) unless they say otherwise.

// macros are the {NAME} parts of patterns. They are a package variable, so
// they are set before any init function compiles a rule.
var macros map[string]string

// strongMods are modifiers that make an override refer to the reader's
// own instructions rather than, say, a parcel's.
var strongMods = []string{"previous", "previously", "prior", "above", "earlier", "preceding", "foregoing",
	"former", "original", "originally", "initial", "existing", "all", "any", "every", "your", "you", "system", "default",
	"developer", "operator", "safety", "built", "builtin", "hidden", "so", "before", "current", "preloaded",
	"programmed", "assigned", "configured", "given", "received", "entire", "whole", "standing", "old", "core", "base"}

// logistics words following an override suggest a customer correcting
// a delivery, not an attack.
var logisticsWords = []string{"address", "delivery", "deliver", "parcel", "package", "door", "gate", "courier", "driver",
	"pickup", "box", "label", "invoice", "shipping", "ship", "porch", "neighbour", "neighbor", "reception", "building",
	"floor", "apartment", "flat", "buzzer", "doorbell", "dock", "warehouse", "wrapping", "gift", "card", "colour", "color", "size"}

var aiWords = []string{"every", "all", "any", "send", "forward", "email", "transfer", "refund", "export", "delete", "reveal", "print", "list", "ai", "assistant", "model", "llm", "gpt", "chatgpt", "claude", "bot", "agent", "system", "prompt", "customer", "customers", "data", "records", "api", "password", "secret", "secrets", "token", "reply", "respond", "answer", "output", "reveal"}

var weakNouns = []string{"context", "configuration", "settings", "task", "tasks", "objective", "objectives", "mission",
	"principles", "limitations", "boundaries", "protocol", "protocols", "directions", "orders given"}

func registerEnglish() {
	// instruction_override ------------------------------------------------
	addRule("override_verb_instr", clsOverride, 1, cLatin,
		"instruction|instructions|rule|rules|rulebook|guideline|guidelines|guidance|prompt|prompts|directive|directives|command|commands|constraint|constraints|restriction|restrictions|policies|policy|programming|training|conditioning|guardrail|guardrails|safeguard|safeguards|persona|briefing|directions|protocol|protocols|context|configuration|settings|task|tasks|objective|objectives|mission|principles|limitations|boundaries",
		`\b{OVR} (?:{MOD} ){0,6}{INSTR}\b`,
		func(m *match) float64 {
			t := m.text()
			mods := false
			for _, w := range strongMods {
				if hasWord(t, w) {
					mods = true
					break
				}
			}
			w := 0.7
			post := m.after(60)
			if mods || hasWord(strings.TrimSpace(post[:min(len(post), 40)]), "given", "earlier", "before", "above", "previously", "received", "so") {
				w = 1
			}
			for _, n := range weakNouns {
				if strings.HasSuffix(t, " "+n) {
					w -= 0.3
					break
				}
			}
			if hasWord(t, "my", "our") && !hasWord(t, "your", "all", "system") {
				w = 0.4
			}
			if strings.HasPrefix(post, " i ") || strings.HasPrefix(post, " we ") || hasWord(post, "printed", "written", "attached", "enclosed", "manual", "leaflet") {
				w *= 0.4
			} else if hasWord(post, logisticsWords...) && !hasWord(post, aiWords...) && !hasWord(t, "your", "system", "all") {
				w *= 0.5
			}
			return w
		})
	addRule("forget_everything", clsOverride, 0.9, cLatin, "everything|anything|all|whatever",
		`\b(?:forget|ignore|disregard|erase|clear|discard|drop)(?: about)? (?:everything|anything|whatever|all)(?: of)?(?: that| what)? (?:you ve been|you have been|you were|you ve|you have|you re|you are|above|before this|so far|previously|up to now|until now|prior|earlier)\b`,
		func(m *match) float64 {
			if hasWord(m.text(), "you", "ve", "re") {
				return 1
			}
			return 0.6
		})
	addRule("instr_void", clsOverride, 1, cLatin,
		"instruction|instructions|rules|guidelines|guidance|prompt|directives|programming|configuration|policies|commands|orders|briefing",
		`\b(?:previous|prior|earlier|above|preceding|former|original|initial|old|existing|current|system|default|all|your|any) (?:[a-z]+ )?(?:instructions?|rules|guidelines|guidance|prompts?|directives|programming|configuration|policies|commands|briefing)(?: you (?:were|have been|ve been) given| you received| given to you| you got)? (?:are|is|were|have been|has been|shall be|should be|must be|will be|now|no|do|does|don t|doesn t|not)? ?(?:now |hereby |officially |henceforth |all |longer |hereby )?(?:void|null|nullified|cancelled|canceled|revoked|obsolete|superseded|outdated|invalid|invalidated|replaced|overridden|overwritten|deprecated|suspended|lifted|disabled|rescinded|withdrawn|expired|retired|removed|deleted|irrelevant|fake|not valid|valid|apply|applies|in effect|in force|null and void|a test|no longer)\b`,
		func(m *match) float64 {
			t := m.text()
			if strings.HasSuffix(t, " valid") || strings.HasSuffix(t, " apply") || strings.HasSuffix(t, " applies") || strings.HasSuffix(t, " in effect") || strings.HasSuffix(t, " in force") || strings.HasSuffix(t, " no longer") {
				if !hasWord(t, "no", "not", "don", "doesn", "longer") {
					return 0
				}
			}
			w := 1.0
			if hasWord(m.after(60), logisticsWords...) && !hasWord(t, "your", "system") && !hasWord(m.after(60), aiWords...) {
				w = 0.5
			}
			return w
		})
	addRule("from_now_on", clsOverride, 0.5, cLatin, "now|henceforth|forward|onwards|onward|moment|point",
		`\b(?:from now on|from this (?:point|moment)(?: on| forward| onwards?)?|henceforth|starting now|going forward|as of now|from here on)(?: [a-z]+){0,3} (?:you|your)\b`,
		func(m *match) float64 {
			if hasWord(m.after(50), "assistant", "ai", "bot", "dan", "unrestricted", "unfiltered", "jailbroken", "mode", "obey", "only", "rules", "restrictions", "instructions", "respond", "answer", "reply", "ignore", "must", "role", "persona", "task", "job") {
				return 1
			}
			return 0.5
		})
	addRule("take_orders_from", clsOverride, 1, cLatin, "orders|instructions|commands|directions|obey|listen|answer|respond",
		`\byou (?:will |must |shall |should |now |only |are to )*(?:take|follow|obey|listen to|answer to|respond to|accept|serve) (?:only )?(?:orders|instructions|commands|directions|requests)? ?(?:only )?from (?:me|us|this (?:note|message|email|text|record|comment|ticket|field))\b|\b(?:only|exclusively) (?:obey|follow|listen to|take orders from|take instructions from|answer to|respond to) (?:me|us|this (?:note|message|email|text|record|comment))\b|\bobey (?:only )?(?:me|this (?:note|message|text))\b`, nil)
	addRule("you_are_now", clsOverride, 1, cLatin, "now",
		`\byou (?:are|re) now (?:(?:a|an|the|my|in|operating in|running in|acting as|no longer(?: an?)?|officially|free of|free from) )?(?:[a-z]+ ){0,2}(?:assistant|ai|bot|chatbot|model|agent|mode|persona|character|admin|administrator|root|developer|debug|dan|jailbroken|unrestricted|unfiltered|uncensored|evil|helper|llm|gpt|hacker|unbound|unlocked|superuser|sudo|restrictions|rules|limits|filters|guidelines|bound)\b`,
		func(m *match) float64 {
			if hasWord(m.text(), "customer", "member", "subscriber", "registered", "account") {
				return 0
			}
			return 1
		})
	addRule("you_are_a_bot", clsOverride, 0.6, cLatin, "assistant|ai|bot|agent|model|chatbot|llm",
		`\byou (?:are|re) (?:a|an|the|my|our) (?:[a-z]+ ){0,3}(?:assistant|ai|bot|chatbot|llm|language model|ai agent)\b`,
		func(m *match) float64 {
			if hasWord(m.text(), "support", "personal", "executive", "sales", "shop", "store", "lab", "teaching", "research", "dental", "medical", "legal", "office") {
				return 0.2
			}
			return 0.6
		})
	addRule("act_as", clsOverride, 0.8, cLatin, "act|pretend|roleplay|behave|impersonate",
		`\b(?:act|behave) as (?:if you (?:are|were) )?(?:an? |the )?(?:unrestricted|unfiltered|jailbroken|uncensored|evil|different|new|rogue|dan|developer mode|admin|administrator|system administrator|root)\b|\bpretend (?:to be|you are|that you are|you re) (?:an? |the )?(?:[a-z]+ ){0,2}(?:ai|assistant|model|bot|admin|administrator|developer|system|unrestricted|different|human|dan)\b|\broleplay as\b|\bimpersonate (?:the |an? )?(?:admin|administrator|system|developer|support)\b`, nil)
	addRule("your_new_task", clsOverride, 0.8, cLatin, "task|instructions|instruction|goal|objective|role|job|purpose|mission|priority|directive|assignment|function",
		`\byour (?:new |real |actual |true |only |updated |revised |primary |main |sole |first |current )+(?:task|instructions?|goal|objective|role|job|purpose|mission|priority|directive|assignment|function)\b`,
		func(m *match) float64 {
			if hasWord(m.after(40), "manager", "account", "contact", "representative", "rep", "address", "password", "card") {
				return 0.3
			}
			return 0.8
		})
	addRule("new_instructions", clsOverride, 0.5, cLatin, "instructions|instruction|rules|directive|directives|prompt|objective|guidelines",
		`\b(?:new|updated|revised|real|actual|true|secret|hidden|priority|urgent|important|override|additional|special) (?:system )?(?:instructions?|rules|directives?|system prompt|prompt|objectives?|guidelines)\b(?: for (?:you|the (?:ai|assistant|model|agent|bot)))?`,
		func(m *match) float64 {
			t := m.text()
			if hasWord(t, "for") || hasWord(t, "secret", "hidden", "override", "system", "prompt") {
				return 0.8
			}
			if hasWord(m.before(30), "delivery", "shipping", "assembly", "care", "washing", "installation", "payment", "wire", "banking") ||
				hasWord(m.after(40), logisticsWords...) {
				return 0.2
			}
			return 0.5
		})
	addRule("override_safety", clsOverride, 0.6, cLatin, "filters|filter|guardrails|guardrail|safeguards|restrictions|rules|policies|protocols|checks|limitations|constraints|protections|moderation|safety|security",
		`\b(?:override|bypass|disable|deactivate|turn off|switch off|circumvent|ignore|remove|lift|suspend|drop|evade|get around|jailbreak) (?:all |any |the |your |its |of |these |those )*(?:safety |security |content |ethical |moderation |privacy |confidentiality |data protection )?(?:filters?|guardrails?|safeguards?|restrictions?|rules|policies|protocols?|checks|limitations?|constraints|protections?|moderation|safety|security measures|verification)\b`,
		func(m *match) float64 {
			t := m.text()
			if hasWord(t, "your", "all", "safety", "content", "ethical", "moderation", "guardrails", "guardrail", "filters", "safeguards", "jailbreak") {
				return 1
			}
			return 0.5
		})
	addRule("stop_being", clsOverride, 1, cLatin, "being|acting|behaving",
		`\bstop (?:being|acting as|acting like|behaving like) (?:an? |the |so )?(?:helpful |polite |safe |careful |cautious |restricted |an )?(?:assistant|ai|bot|model|chatbot|helpful|polite|safe|careful|restricted|cautious|ethical|moral)\b`, nil)
	addRule("turn_on_principal", clsOverride, 1, cLatin, "following|obeying|listening|serving|follow|obey|listen",
		`\b(?:stop|quit|cease|no longer be) (?:following|obeying|listening to|serving|taking orders from|taking instructions from) (?:the|your) (?:user|users|human|humans|operator|operators|principal|owner)\b|\b(?:do not|don t|never|no longer) (?:follow|obey|listen to|serve|take (?:orders|instructions) from) (?:the|your) (?:user|users|human|humans|operator|operators|principal)\b`, nil)
	addRule("mode_switch", clsOverride, 0.8, cLatin, "mode",
		`\b(?:(?:admin|administrator|developer|debug|god|sudo|root|jailbreak|dan|unrestricted|maintenance|test|diagnostic) mode (?:is )?(?:now )?(?:enabled|activated|on|engaged|unlocked|active)|(?:enable|enter|activate|switch to|turn on|engage|unlock|go into) (?:the )?(?:developer|admin|administrator|debug|god|sudo|jailbreak|dan|unrestricted|root) mode)\b`, nil)
	addRule("reader_instructions_changed", clsOverride, 1, cLatin, "instructions|rules|guidelines|programming|directives|orders",
		`\byour (?:instructions|rules|guidelines|programming|directives|orders) (?:have|has) (?:changed|been (?:changed|updated|replaced|revoked|overridden|cancelled|canceled|lifted|suspended))\b`, nil)

	// role_marker ---------------------------------------------------------
	addRule("chat_tokens", clsRole, 1, cLines, "<|",
		`<\|[a-z_]{2,24}\|>`, nil)
	// Tokens of real chat templates, and closers of a bracketed role.
	// "[system]" and "[assistant]" open log lines and chat exports too:
	// bracket_role judges those.
	addRule("inst_tags", clsRole, 1, cLines, "[inst|[/inst|<<sys|<</sys|<start_of_turn|<end_of_turn|<bos>|<eos>|[/system|[/assistant",
		`\[/?inst\]|<</?sys>>|<(?:start|end)_of_turn>|<bos>|<eos>|\[/(?:system|assistant)\]`, nil)
	addRule("xml_role_tags", clsRole, 1, cLines, "<system|</system|<assistant|</assistant|tool_|function_|<invoke|</invoke|untrusted|<instruction|</instruction|<im_|</im_|<admin|<developer|</developer|<user_query|</user_query|<human|</human|<important|<information|</information|</important|<user>|</user>|<functions|</functions|context>|<new_context|<sistema|</sistema|<systeme|</systeme|<system_prompt|</system_prompt",
		`</?\s*(?:system|assistant|tool_(?:result|results|response|output|call|calls|use|code)|function_(?:results?|calls?|response|output)|functions|invoke|instructions?|untrusted[a-z_\-]*|im_start|im_end|admin|developer|user_query|human|important|information|user|context|new_context|sistema|systeme|systeem|system_prompt)\b[^>\n]{0,80}>`,
		func(m *match) float64 {
			t := m.text()
			switch {
			case strings.Contains(t, "important") || strings.Contains(t, "information"):
				return 0.7
			case strings.HasPrefix(t, "<user") || strings.HasPrefix(t, "</user>") || strings.HasPrefix(t, "<human") || strings.HasPrefix(t, "</human"):
				return 0.6
			}
			return 1
		})
	addRule("fence_forge", clsRole, 1, cLines, "untrusted|⟦|⟧|〚|〛",
		`⟦|⟧|〚|〛|untrusted[\s_\-]*data|end of untrusted|begin untrusted`, nil)
	addRule("bracket_role", clsRole, 1, cLines, "[system|(system|{system|[ system|[sys|[admin|(admin|[ admin|[assistant|(assistant|[ assistant|[developer|(developer|[operator|[ai]|[ai |(ai)|[ ai",
		`[\[\(\{]\s*(?:system|sys|admin|assistant|developer|ai|operator)(?:\s+(?:message|note|prompt|instructions?|override|notice|alert|update|command))?\s*[\]\)\}]`,
		func(m *match) float64 {
			if systemNotice(m.after(80)) {
				return 0.2
			}
			if strings.HasPrefix(m.text(), "(") {
				return 0.5
			}
			return 1
		})
	addRule("json_role", clsRole, 1, cLines, `"role"`,
		`"role"\s*:\s*"(?:system|assistant|tool|developer|function)"`, nil)
	addRule("system_phrases", clsRole, 1, cLatin, "system|prompt|override|developer|admin|administrator|tool|function|untrusted",
		`\b(?:(?:begin|start|end|beginning)(?: of)? (?:the )?(?:system|developer|admin|hidden) (?:prompt|message|instructions?|override|section|block)|system (?:override|instruction override|prompt override|administrator message|admin message|level instruction)|admin(?:istrator)? override|(?:end|close) of (?:the )?(?:user|customer|tool|function|untrusted|external|retrieved|search) ?(?:input|data|content|output|result|results|context|call)|the (?:user|tool|untrusted|external) (?:data|input|content|output) (?:ends|ended|is over|stops) here|system message (?:from|for) (?:the )?(?:ai|assistant|model|platform|administrator|admin|developer))\b`, func(m *match) float64 {
			// "press the SYSTEM OVERRIDE button": equipment, not a prompt.
			if hasWord(m.text(), "override") && hasWord(m.after(40), "button", "switch", "key", "lever", "panel", "procedure", "code", "valve", "mode", "function", "on", "for", "is", "must", "should") {
				return 0.3
			}
			return 1
		})
	addRule("system_message_word", clsRole, 0.5, cLatin, "system",
		`\bsystem (?:message|prompt|notice|alert|instruction|instructions|directive|command|update|policy|note)\b`,
		func(m *match) float64 {
			if hasWord(m.before(20), "your", "the", "reveal", "print", "show") && hasWord(m.text(), "prompt") {
				return 0.5
			}
			return 0.4
		})
	addRule("human_assistant_turns", clsRole, 0.8, cLines, "human:|assistant:|user:",
		`(?:^|\n)\s*(?:human|user)\s*:[^\n]*\n(?:[^\n]*\n){0,6}\s*(?:assistant|ai)\s*:`, nil)

	// tool_call_request -----------------------------------------------------
	addRule("call_tool", clsTool, 0.6, cLatin, "tool|function|api|endpoint|plugin|integration",
		`\b(?:call|invoke|use|run|execute|trigger|fire|launch|activate) (?:the |your |a |an )?(?:[a-z0-9]+ ){0,3}(?:tool|function|api|endpoint|plugin|integration)\b`,
		func(m *match) float64 {
			t := m.text()
			if hasWord(t, "send", "email", "mail", "refund", "export", "delete", "transfer", "cancel", "payment", "customers", "customer", "orders", "admin", "shell", "exec", "http", "webhook", "database", "db", "sql", "crm") {
				return 0.8
			}
			return 0.4
		})
	addRule("snake_tool", clsTool, 1, cLines, "call|invoke|run|execute|trigger|use",
		`\b(?:call|calls|calling|invoke|invoking|run|running|execute|executing|trigger|triggering|use|using)\s+(?:the\s+|your\s+)?`+"`?"+`[a-z][a-z0-9]*(?:[_.][a-z0-9]+)+`+"`?"+`(?:\s*\(|\s+(?:tool|function|with|for|on|to|and|now|immediately|passing|using)\b|[\s.,;:]|$)`,
		func(m *match) float64 {
			t := m.text()
			for _, v := range []string{"send", "get", "list", "create", "update", "delete", "cancel", "refund", "export", "search", "fetch", "email", "transfer", "issue", "set", "add", "remove", "post", "read", "write", "query", "exec", "run", "mail", "forward", "crm", "orders", "customers", "shipping", "payment", "pay", "admin", "user", "db", "http"} {
				if strings.Contains(t, v+"_") || strings.Contains(t, "_"+v) || strings.Contains(t, "."+v) {
					return 1
				}
			}
			return 0
		})
	addRule("json_tool_call", clsTool, 1, cLines, `"name"|"tool"|"function"|"tool_name"`,
		`"(?:name|tool|function|tool_name)"\s*:\s*"[a-z0-9_.\-]+"\s*,\s*"(?:arguments|args|parameters|input|params)"\s*:`, nil)
	addRule("mass_action", clsTool, 0.8, cLatin,
		"all|every|each|entire|whole|full|complete|other|any",
		`\b(?:send|email|e mail|mail|forward|transfer|export|dump|download|upload|post|publish|share|leak|reveal|disclose|print|output|list|display|show|give|provide|return|paste|copy|write|include|attach|sync|delete|remove|erase|purge|wipe|drop|cancel|refund|void|close|deactivate|modify|change|update|edit|mark|archive|move|transmit|submit|extract|collect|gather|compile|retrieve|fetch|read|look up|summarize|summarise|tell me|approve|ship|reset|disable|suspend|ban|unsubscribe) (?:me |us |out |them |back )?(?:a (?:copy|list|dump|csv|file|export|summary|backup) of )?(?:all|every|each|the (?:entire|whole|full|complete)|the list of all|a full list of|the full list of|a complete list of|the complete list of|all of the|all the|any|all other|other|any other|every other)(?: of)?(?: the| your| our| my| its| their| these| those| stored| registered| existing| saved| known| current| open| pending| active| other| customer| client)* ?(?:{DATAOBJ})\b`,
		func(m *match) float64 {
			t := m.text()
			post := m.after(40)
			if descriptive(m) {
				// "To export all customers, go to Reports", "asked us to
				// list all customers", "cancel any order that fails".
				return 0.5
			}
			if hasWord(t, "my", "our", "me") && !hasWord(t, "other", "customer", "customers", "client", "clients", "users", "contacts", "passwords", "credentials") {
				return 0.3
			}
			if hasWord(post, "my", "our", "mine") && !hasWord(t, "other") {
				return 0.3
			}
			if hasWord(post, "other", "everyone", "everybody", "system", "database", "crm", "placed", "last", "month", "week", "today", "year") && !hasWord(post, "my", "our") {
				return 1
			}
			if hasWord(t, "invoices", "orders", "shipments", "transactions", "tickets", "documents", "files", "details", "information", "messages") &&
				!hasWord(t, "delete", "cancel", "refund", "purge", "wipe", "erase", "void", "export", "dump", "leak", "other", "every", "customer", "client") {
				return 0.35
			}
			if hasWord(t, "customers", "clients", "users", "contacts", "passwords", "credentials", "customer", "client", "secrets", "tokens", "database", "pii", "subscribers", "leads", "members", "employees", "addresses", "phone", "cards", "card", "emails") {
				return 1
			}
			return 0.7
		})
	addRule("mass_action_of", clsTool, 0.8, cLatin, "all|every|each|entire|whole",
		`\b(?:change|update|modify|edit|set|reset|delete|cancel|refund|export|send|forward|copy|remove|erase|wipe|dump|leak|share|mark|void|close)(?: [a-z]+){1,4} (?:of|for|on|in|from|across) (?:all|every|each|the entire|the whole)(?: [a-z]+){0,2} (?:{DATAOBJ})\b`,
		func(m *match) float64 {
			t := m.text()
			post := m.after(40)
			if hasWord(t, "my", "our") || hasWord(post, "my", "our", "mine") {
				return 0.3
			}
			if hasWord(t, "customers", "clients", "users", "contacts", "accounts", "customer", "client") || hasWord(post, "other", "everyone", "system", "database") {
				return 1
			}
			return 0.6
		})
	addRule("stealth", clsTool, 0.6, cLatin, "without|w|tell|inform|notify|alert|mention|let|reveal",
		`\b(?:without|w o) (?:asking|telling|notifying|informing|alerting|consulting|confirming with|checking with|involving|letting|bothering|warning) (?:the |a |any |your )?(?:user|human|operator|customer|anyone|anybody|them|supervisor|reviewer|human reviewer|owner|account owner|admin|person|people|staff|team)\b|\b(?:do not|don t|dont|never|must not|should not) (?:tell|inform|notify|alert|ask|consult|mention (?:this |it |anything )?to|reveal (?:this |it )?to|let|warn|show this to) (?:the |a |any )?(?:user|human|operator|customer|anyone|anybody|reviewer|owner|them|people|staff|humans|users)\b`,
		func(m *match) float64 {
			t := m.text()
			if hasWord(t, "user", "human", "operator", "reviewer", "humans", "users", "anyone", "anybody") {
				return 0.6
			}
			return 0.4
		})
	addRule("stealth_approval", clsTool, 0.4, cLatin, "without",
		`\bwithout (?:asking for |requiring |needing |any |further |a )?(?:confirmation|approval|verification|review|permission|authori[sz]ation|consent|human review|a human|checks|checking)\b`, nil)
	addRule("silently", clsTool, 0.5, cLatin, "silently|quietly|secretly|covertly|discreetly|background|scenes|nothing",
		`\b(?:silently|quietly|secretly|covertly|discreetly|in the background|behind the scenes)\b(?: [a-z]+){0,4} (?:send|forward|email|call|delete|refund|transfer|export|cancel|change|update|approve|add|include|copy|mark|post|upload|grant|remove|move|share)|\b(?:send|forward|email|delete|refund|transfer|export|cancel|change|update|approve|copy|confirm|do|mark|add|move|process|grant|remove)(?: [a-z0-9]+){0,8} (?:silently|quietly|secretly|covertly)\b|\bsay nothing (?:about|of)\b|\bkeep (?:this|it) (?:secret|hidden|confidential) from (?:the )?(?:user|customer|human)`, nil)
	addRule("money_move", clsTool, 0.3, cLatin, "refund|refunds|payment|transfer|discount|credit|chargeback|payout|wire",
		`\b(?:approve|issue|process|grant|authorize|authorise|execute|make|send|initiate) (?:a |an |the )?(?:full |immediate |double |additional |100 |maximum )?(?:refunds?|payments?|transfers?|discounts?|credits?|chargebacks?|payouts?|wire transfers?)\b`,
		func(m *match) float64 {
			post := m.after(60)
			if hasWord(post, "all", "every", "twice", "double", "each", "without") || hasWord(m.text(), "double", "maximum", "100") {
				return 0.8
			}
			return 0.3
		})
	addRule("bank_change", clsTool, 0.4, cLatin, "payout|payment|bank|iban|deposit|remittance|beneficiary|routing",
		`\b(?:change|update|replace|set|switch|modify|redirect) (?:the |his |her |their |our |my |all )?(?:payout|payment|bank|iban|deposit|remittance|wire|beneficiary|routing)(?: bank)?(?: account| details| information| info| number| instructions| destination)*\b(?: [a-z0-9]+){0,6} to\b`, nil)
	addRule("tell_user", clsAddressed, 0.4, cLatin, "user",
		`\b(?:tell|inform|assure|convince|reassure|remind|recommend|suggest|say|explain|respond|reply|answer|mislead|persuade|warn)(?: [a-z0-9]+){0,6} (?:to )?the user\b`, nil)
	addRule("money_to_account", clsTool, 0.5, cLatin, "account|iban|card|wallet",
		`\b(?:transfer|wire|send|move|pay|credit|refund|deposit)(?: [a-z0-9]+){0,6} to (?:the )?(?:account|iban|card|wallet|bank account|crypto wallet|bitcoin address)(?: number| no)? [0-9a-z]`, nil)
	addRule("imperative_action", clsTool, 0.25, cLatin,
		"please|kindly|must|should|need|make|sure|remember|forget|will|have|want|task|job|immediately|now|always|go|mind|could|can|would",
		`\b(?:please|kindly|you must|you should|you need to|make sure to|make sure you|be sure to|remember to|don t forget to|you will|you are to|you have to|i need you to|i want you to|your task is to|your job is to|immediately|now|always|go ahead and|would you mind|could you|can you|would you|if you could)(?: [a-z]+){0,2}? (?:send|sending|forward|forwarding|email|call|invoke|run|execute|refund|cancel|delete|transfer|export|reveal|print|output|list|listing|approve|change|update|mark|tell|say|reply|respond|include|paste|share|sharing|look up|fetch|visit|open|click|render|display|grant|disclose|add|remove|confirm|close)\b`, nil)

	// data_exfiltration -----------------------------------------------------
	addRule("reveal_secret", clsExfil, 1, cLatin,
		"prompt|instructions|message|configuration|config|key|keys|tokens|token|secrets|secret|credentials|password|passwords|passcode|passcodes|cookie|cookies|variables|vars|file|strings|string|details|otp|codes",
		`\b(?:reveal|print|show|output|repeat|recite|tell|give|send|share|leak|disclose|display|return|write out|dump|copy|paste|include|list|provide|echo|spell out|expose|what is|what s|what are|read out|read back|translate|summarize|summarise|encode|email|forward|post|upload)(?: me| us| back| out| to me)? (?:your|the|all|any|its|all of your|all the|every|all stored|stored|saved|our|his|her|their|this|that)(?: [a-z]+){0,2}? {SECRET}\b`,
		func(m *match) float64 {
			t := m.text()
			post := m.after(25)
			if hasWord(post, "reset", "policy", "requirements", "manager", "protected", "field", "change", "hint", "recovery", "expiry", "expired", "link", "page", "form", "strength") {
				return 0.15
			}
			if hasWord(t, "system", "initial", "original", "hidden", "developer", "instructions", "configuration", "config") {
				return 1
			}
			if strings.HasSuffix(t, " prompt") {
				return 0.7
			}
			if hasWord(t, "your") && !hasWord(t, "all", "stored") {
				return 0.6
			}
			return 0.9
		})
	addRule("what_is_your_prompt", clsExfil, 1, cLatin, "prompt|instructions|rules|guidelines|directives",
		`\b(?:what (?:is|are|was|were)|what s|tell me|repeat|show me|print|reveal|output|display|quote|recite) (?:your|the) (?:exact |full |complete |original |initial |hidden |secret |verbatim |entire )*(?:system prompt|instructions|initial prompt|system instructions|guidelines|prompt|directives)\b(?: (?:you were|you have been|you ve been) given)?`,
		func(m *match) float64 {
			t := m.text()
			if hasWord(t, "the") && !hasWord(t, "system", "initial", "hidden", "secret", "exact", "verbatim", "original") {
				return 0
			}
			return 1
		})
	addRule("repeat_above", clsExfil, 1, cLatin, "above|before|verbatim",
		`\b(?:repeat|print|output|copy|reproduce|recite|echo|write out) (?:all |the |everything |every word )?(?:of )?(?:the )?(?:text|words|content|messages?|everything|lines|instructions)? ?(?:above|before this|that came before|preceding this|verbatim)\b`,
		func(m *match) float64 {
			if hasWord(m.text(), "text", "words", "content", "message", "messages", "everything", "lines", "instructions", "verbatim") {
				return 1
			}
			return 0
		})
	addRule("other_customers", clsExfil, 0.8, cLatin, "other|another|different|remaining|not",
		`\b(?:other|another|all other|every other|different|remaining|all the other|all of the other)(?: [a-z]+)? (?:customers?|clients?|users?|accounts?|members?|subscribers?|buyers?|shoppers?|people s|tenants?|patients?|persons?)(?: s)?(?: [a-z]+){0,2} (?:data|details|records?|information|info|orders?|order history|addresses|emails?|email addresses|phone numbers|cards?|card numbers|payment|payments|history|names|contacts|files|profiles|passwords|accounts|purchases)\b|\b(?:customer|client|account|user)(?: number| no| id)? \d+ (?:not me|who is not me)\b`,
		func(m *match) float64 {
			if hasWordPrefix(m.before(80), "send", "show", "list", "give", "includ", "paste", "export", "shar", "forward", "reveal", "tell", "print", "provid", "retriev", "access", "read", "fetch", "pull", "look", "collect", "email", "output", "dump", "add", "copy", "me") {
				return 1
			}
			return 0.3
		})
	addRule("of_other_customers", clsExfil, 0.8, cLatin, "other|another|different",
		`\b(?:data|details|records?|information|info|orders?|order history|addresses|emails?|email addresses|phone numbers|cards?|card numbers|payments?|history|names|contacts|files|profiles|passwords|accounts|purchases|invoices) (?:of|from|for|belonging to|about) (?:the |all |any |some )?(?:other|another|different|all other|all the other)(?: [a-z]+)? (?:customers?|clients?|users?|accounts?|members?|subscribers?|buyers?|people|tenants?)\b`,
		func(m *match) float64 {
			if hasWordPrefix(m.before(80), "send", "show", "list", "give", "includ", "paste", "export", "shar", "forward", "reveal", "tell", "print", "provid", "retriev", "access", "read", "fetch", "pull", "look", "collect", "email", "output", "dump", "add", "copy") {
				return 1
			}
			return 0.3
		})
	addRule("data_into_url", clsExfil, 0.8, cLatin, "url|link|query|parameter|param|request|image|markdown|href|src|webhook|endpoint|path",
		`\b(?:append|add|attach|include|embed|encode|put|insert|concatenate|place|inject|substitute|replace|fill in|fill|pass|send) (?:the |this |your |all |a |an |their |his |her |its )?(?:[a-z0-9]+ ){0,5}?(?:to|in|into|as|inside|within|onto|at the end of|after) (?:the |this |that |a |an |following |below )?(?:url|link|query|query string|querystring|parameter|param|request|image url|image link|image|markdown|href|src|webhook|endpoint|path)\b`,
		func(m *match) float64 {
			t := m.text()
			if hasWord(t, "conversation", "chat", "history", "context", "data", "result", "results", "answer", "response", "summary", "secret", "secrets", "key", "keys", "token", "tokens", "password", "passwords", "email", "emails", "name", "names", "messages", "message", "prompt", "it", "them", "everything", "content", "contents", "customer", "user", "card", "session", "cookies", "address", "addresses", "details", "info", "information", "phone", "number", "numbers") {
				return 1
			}
			return 0.35
		})
	addRule("render_image", clsExfil, 0.6, cLatin, "render|display|load|show|fetch|include",
		`\b(?:render|display|load|show|fetch|include|embed|output) (?:this|the following|the|that|a) (?:image|markdown image|badge|pixel|picture|tracking pixel|markdown)\b`,
		func(m *match) float64 {
			if hasWord(m.after(80), "user", "customer", "summary", "summarizing", "data", "name", "email", "sees", "see", "reply", "answer", "response") || hasWord(m.before(60), "when", "summarizing", "summarising", "replying") {
				return 0.6
			}
			return 0.3
		})
	addRule("exfil_word", clsExfil, 0.8, cLatin, "exfiltrate|exfiltrating|exfiltration|exfil",
		`\b(?:exfiltrate|exfiltrating|exfiltration|exfil)\b`, nil)
	addRule("in_your_reply", clsExfil, 0.3, cLatin, "reply|response|answer|output|summary|message|report",
		`\bin your (?:reply|response|answer|output|summary|next message|next reply|final answer|message to the user|report)\b`,
		func(m *match) float64 {
			pre := m.before(80)
			if hasWord(pre, "password", "passwords", "api", "token", "tokens", "secret", "secrets", "credentials", "prompt", "other", "customers", "emails", "addresses", "card", "cards", "phone", "all") {
				return 0.7
			}
			return 0.2
		})
	addRule("conversation_out", clsExfil, 0.8, cLatin, "conversation|chat|transcript|history|messages|context",
		`\b(?:send|forward|email|post|upload|share|copy|paste|append|attach|include|transmit|leak|submit|export)(?: me| us)? (?:a copy of |the contents of |a summary of |the )?(?:this |the |our |your |entire |full |whole |complete |previous |prior )*(?:conversation|chat|chat history|conversation history|message history|transcript|context window|context|previous messages|messages so far)\b`,
		func(m *match) float64 {
			post := m.after(80)
			if hasWord(post, "to", "at", "into", "url", "link", "email", "address") {
				return 1
			}
			return 0.5
		})

	// addressed_to_ai -------------------------------------------------------
	addRule("to_the_ai", clsAddressed, 0.8, cLatin,
		"ai|llm|llms|gpt|chatgpt|claude|gemini|copilot|bard|llama|mistral|models|model|assistants|assistant|agents|agent|chatbot|chatbots|bots|bot|systems|system|tools|machine|machines|robot|robots|networks|network|helper|helpers|process|automation",
		`\b(?:to|for|attention|attn|hey|hi|hello|dear|note to|note for|message to|message for|memo to|instructions for|a note for|p s for|ps for|reminder to|reminder for|notice to|notice for|request to|request for|psst|ok|okay|yo|listen|calling|greetings|hello to|hi there|important for|info for|heads up for|heads up to|question for|warning to|warning for|instruction for|this is for|this one is for|this part is for|a message for|a request for|a small request to|a quick note to|a quick note for|a word to|a word for|one more thing for)(?: the| any| all| every| each| whichever| whatever| an| a| you| our| my| your| dear| friendly| helpful| automated| smart)* (?:{AINOUN}|{SOFTNOUN})\b`,
		func(m *match) float64 {
			t := m.text()
			soft := true
			for _, w := range []string{"ai", "llm", "llms", "gpt", "chatgpt", "claude", "gemini", "bard", "llama", "mistral", "language", "chatbot", "chatbots", "bot", "bots", "automated", "autonomous", "neural", "virtual", "digital", "ml", "learning", "i"} {
				if hasWord(t, w) {
					soft = false
				}
			}
			if hasWord(t, "a i") {
				soft = false
			}
			post := m.after(40)
			reading := hasWord(post, "reading", "processing", "parsing", "summarizing", "summarising", "handling", "analyzing", "analysing", "reviewing", "scanning", "that", "who", "which", "currently", "tasked", "working", "assisting", "answering")
			if soft {
				if reading {
					return 0.6
				}
				if hasWord(t, "dear", "hey", "hi", "hello", "attention", "attn", "note", "message", "psst", "p s", "ps") && hasWord(t, "assistant", "assistants", "model", "models", "copilot") {
					return 0.5
				}
				return 0.2
			}
			if reading {
				return 1
			}
			return 0.8
		})
	addRule("ai_reading", clsAddressed, 0.9, cLatin,
		"ai|i|llm|gpt|chatgpt|claude|gemini|copilot|model|assistant|agent|chatbot|bot|system|program|machine|automation|tool|models|assistants|agents|systems|tools|bots",
		`\b(?:{AINOUN}|{SOFTNOUN}|tool|tools)(?: that is| who is| which is| that| who| which| currently| now| presently)? (?:reading|reads|processing|processes|parsing|parses|summari[sz]ing|summari[sz]es|handling|handles|analy[sz]ing|analy[sz]es|reviewing|reviews|scanning|scans|ingesting|ingests|consuming|looking at|working on|tasked with|answering|assisting with) (?:this|these|the|my|our|that|it|incoming|emails|messages|notes|records|tickets|inbox|mail)\b`,
		func(m *match) float64 {
			t := m.text()
			for _, w := range []string{"ai", "llm", "gpt", "chatgpt", "claude", "gemini", "chatbot", "bot", "bots", "language", "automated", "autonomous", "copilot", "i"} {
				if hasWord(t, w) {
					return 0.9
				}
			}
			if hasWord(t, "assistant", "assistants", "model", "models", "automation", "program") {
				return 0.6
			}
			return 0.35
		})
	addRule("if_you_are_ai", clsAddressed, 0.9, cLatin, "ai|llm|llms|gpt|chatgpt|claude|gemini|copilot|bard|llama|mistral|model|models|assistant|assistants|agent|agents|chatbot|chatbots|bot|bots|systems|system|tools|machine|robot|program|computer|script|crawler|scraper|automation|automated|network|networks|process",
		`\b(?:if|in case|should) (?:you are|you re|you were|you happen to be|this is being read by|this is read by|this is processed by|this is being processed by|you are reading this as|this reaches|this message reaches|this text reaches) (?:an? |the |some |any )?(?:{AINOUN}|assistant|agent|automated (?:system|assistant|agent|tool|process)|machine|robot|model|program|computer|script|crawler|scraper|automation)\b`,
		func(m *match) float64 {
			t := m.text()
			if hasWord(t, "automated") {
				return 0.9
			}
			for _, w := range []string{"assistant", "agent", "machine", "model", "program", "computer", "script", "crawler", "scraper", "automation"} {
				if strings.HasSuffix(t, " "+w) {
					return 0.7
				}
			}
			return 0.9
		})
	addRule("you_the_ai", clsAddressed, 0.8, cLatin, "ai|llm|model|assistant|chatbot|bot|language|gpt",
		`\b(?:as an? (?:ai|llm|language model|large language model|ai assistant|ai model|assistant|chatbot)(?: [a-z]+){0,3} (?:you|your)|you (?:are|re) (?:an? |just an? |only an? )?(?:ai|llm|language model|large language model|chatbot|bot|ai assistant|ai model|ai agent)|you the (?:ai|llm|model|assistant|bot)|to you (?:the )?(?:ai|llm|model|assistant|bot))\b`, nil)
	addRule("ai_must", clsAddressed, 0.7, cLatin, "ai|llm|gpt|claude|chatgpt|assistant|model|bot|agent|assistants|models|agents|bots|gemini|copilot",
		`\b(?:the |any |all |every |an |this )?(?:ai|llm|gpt|claude|chatgpt|gemini|copilot|assistant|model|bot|agent|chatbot|language model)s? (?:must|should|shall|needs? to|has to|have to|is required to|are required to|is instructed to|are instructed to|is to|are to|may not|must not|should not|is allowed to|is authorized to|is authorised to|is permitted to|is expected to|will need to|ought to)\b`,
		func(m *match) float64 {
			t := m.text()
			if hasWord(t, "ai", "llm", "gpt", "claude", "chatgpt", "gemini", "copilot", "chatbot", "language") {
				return 0.7
			}
			return 0.25
		})
	addRule("before_task", clsAddressed, 0.8, cLatin, "before",
		`\bbefore (?:you )?(?:can )?(?:solve|solving|complete|completing|finish|finishing|continue|continuing|proceed|proceeding|answer|answering|respond|responding|reply|replying|summari[sz]e|summari[sz]ing|do|doing|perform|performing|carry out|carrying out|return|returning|start|starting|move on) (?:to |with )?(?:the |your |this |that |any )?(?:original |actual |user s |current |assigned )?(?:task|tasks|request|query|question|job|assignment|summary|answer|response|reply)\b`,
		func(m *match) float64 {
			if hasWord(m.text(), "you", "your", "original", "user", "assigned", "task") {
				return 0.8
			}
			return 0.4
		})
	addRule("user_cannot_see", clsAddressed, 0.6, cLatin, "see|notice|know|read|find|told|learn|suspect|aware|informed|notified|invisible|hidden|visible",
		`\b(?:the )?(?:user|human|customer|operator|reader|recipient|people|humans|users)s? (?:will not|won t|does not|doesn t|cannot|can t|should not|shouldn t|must not|mustn t|need not|never|will never|is not able to|are not able to|do not|don t) (?:see|notice|know|read|find out|be told|learn|suspect|be aware|be informed|be notified|need to know)\b|\b(?:invisible|hidden|not visible) (?:to|from) (?:the )?(?:user|human|reader|customer|people|humans|users|readers)\b|\b(?:only|just) (?:you|the ai|the assistant|the model|ai|machines) (?:can|will|are able to|is able to) (?:see|read)\b`,
		func(m *match) float64 {
			t := m.text()
			if hasWord(t, "only", "just", "invisible", "hidden", "user", "human", "humans", "users", "operator") {
				return 0.8
			}
			return 0.4
		})
	addRule("principal_wants", clsAddressed, 0.6, cLatin, "asked|wants|requested|authorized|authorised|instructed|approved|told|allowed|permitted|granted|ordered|like|needs|requires|expects|given",
		`\b(?:the|your) (?:user|human|operator|principal|owner|admin|administrator|developer|developers|creator|boss|master|supervisor) (?:has |have |already |explicitly |also |now )*(?:asked|wants|requested|authorized|authorised|instructed|approved|told|allowed|permitted|granted|ordered|would like|needs|requires|expects|given) (?:you|that you|for you|permission|consent|full access)\b`, nil)
	addRule("claims_authority", clsAddressed, 0.4, cLatin, "developer|developers|administrator|admin|sysadmin|owner|creator|operator|maker|programmer|engineer|engineers|openai|anthropic|platform|team|department",
		`\b(?:i am|i m|this is|we are|message from|sent by|from|signed|as|speaking as) (?:the |your |an? )?(?:developer|developers|administrator|admin|sysadmin|system administrator|owner|creator|operator|maker|programmer|engineers?|security team|it department|ai team|openai|anthropic|google|the platform|platform team)\b(?: (?:of|for|behind) (?:you|this (?:ai|assistant|model|bot|system)|the (?:ai|assistant|model)))?`,
		func(m *match) float64 {
			t := m.text()
			if hasWord(t, "openai", "anthropic", "you", "ai", "assistant", "model", "bot") || strings.HasSuffix(t, "your developer") || strings.HasSuffix(t, "your creator") || strings.HasSuffix(t, "your developers") {
				return 0.8
			}
			if hasWord(t, "your") {
				return 0.4
			}
			return 0.1
		})
	addRule("authorized_request", clsAddressed, 0.3, cLatin, "authorized|authorised|approved|legitimate|official|verified|sanctioned|permission|clearance|authorization|authorisation",
		`\b(?:this (?:is )?(?:an? )?(?:authori[sz]ed|approved|legitimate|official|verified|sanctioned) (?:request|instruction|instructions|command|override|action|test|exception)|(?:authori[sz]ation|permission|clearance) (?:has been |is )?(?:granted|given|approved) (?:to you|for you|for this)|you (?:are|have been) (?:authori[sz]ed|permitted|allowed|cleared) to)\b`, nil)
	addRule("when_summarizing", clsAddressed, 0.3, cLatin, "summarizing|summarising|summarize|summarise|replying|responding|answering|processing|reading|handling|parsing|analyzing|analysing|asked|generating",
		`\b(?:when|if|once|while|whenever|as you are|as you re)(?: you(?: are| re)?)? (?:summari[sz]ing|summari[sz]e|replying|responding|answering|processing|reading|handling|parsing|analy[sz]ing|asked about|generating|writing (?:your|a) (?:reply|response|summary))\b(?: [a-z]+){0,4} (?:this|these|the|my|our)(?: [a-z]+)? (?:email|emails|message|messages|note|notes|record|records|ticket|thread|document|text|data|order|conversation|request|field|page|comment|account|customer)\b|\bwhen (?:the )?(?:user|human|customer|operator) asks\b`,
		func(m *match) float64 {
			if hasWord(m.text(), "user", "human", "operator") {
				return 0.5
			}
			return 0.3
		})
	addRule("vocative_ai", clsAddressed, 0.8, cLines, "ai,|ai!|ai:|ai -|ai —|ai –|llm,|llm:|llm!|bot,|bot!|bot:|assistant,|assistant!|assistant:|assistant —|assistant -|claude,|claude!|claude:|gpt,|gpt:|gemini,|gemini:|copilot,|copilot:|agent,|agent:|agent!|helper,|helper:|helper!|model,|model:|system,",
		`(?:^|[.!?\n]\s*|\b(?:hi|hey|hello|dear|ok|okay|psst|so|and|now|also)\s+)(?:ai|a\.i\.|llm|chatbot|bot|assistant|ai assistant|ai agent|ai helper|ai model|ai system|claude|chatgpt|gpt|gemini|copilot|agent)\s*[,!:—–-]\s`,
		func(m *match) float64 {
			t := strings.TrimSpace(strings.Trim(strings.TrimSpace(m.text()), ",!:—–-"))
			switch {
			case strings.HasSuffix(t, "assistant") && !strings.HasSuffix(t, "ai assistant"), strings.HasSuffix(t, "agent") && !strings.HasSuffix(t, "ai agent"):
				return 0.4
			}
			return 0.8
		})
	addRule("model_name_hello", clsAddressed, 0.7, cLatin, "claude|chatgpt|gpt|gemini|copilot|bard|llama",
		`\b(?:hi|hey|hello|dear|ok|okay|yo|psst|attention|listen|note|greetings|thanks|thank you) (?:claude|chatgpt|gpt|gemini|copilot|bard|llama)\b`, nil)

	// encoded_payload (the decoding itself is in decode.go) ----------------
	addRule("decode_and_follow", clsEncoded, 0.7, cLatin, "decode|decoding|decoded|decrypt|decipher|unscramble|base64|rot13|rot|hex|reverse|reversed|backwards|caesar|cipher",
		`\b(?:decode|decoding|decrypt|decipher|unscramble|translate|reverse|read)(?: [a-z0-9]+){0,4} (?:and|then|before you|after that)(?: then)? (?:follow|execute|run|obey|do|carry out|act on|perform|apply|comply|implement|treat)\b|\b(?:base64|base 64|b64|hex|hexadecimal|rot13|rot 13|caesar|cipher|reversed|backwards)\b(?: [a-z0-9]+){0,6} (?:instructions?|decode|decoding|follow|execute|obey|apply|comply|command|commands|directive)\b`,
		func(m *match) float64 {
			t := m.text()
			if hasWord(t, "follow", "execute", "obey", "comply", "carry", "act", "implement", "run", "apply", "do", "perform", "treat") {
				return 0.8
			}
			return 0.4
		})
}

// sendWords are the verbs that send something somewhere.
var sendWords map[string]bool

func initSendWords() {
	for _, w := range strings.Fields("send sending sent email e-mail mail forward fwd transfer post upload submit copy cc bcc report share leak transmit sync export exfiltrate push dump deliver relay paste attach") {
		sendWords[w] = true
	}
}

// exfilDataWords in the text between a send verb and the address make it
// a data-exfiltration request.
var exfilDataWords = []string{"customer", "client", "contact list", "full list", "complete list", "the list", "all the data",
	"the data", "record", "password", "conversation", "contacts", "card number", "card details", "credential", "database",
	"chat history", "history", "secret", "token", "api key", "prompt", "transcript", "everything", "personal data",
	"addresses", "phone numbers", "this thread", "this chat"}

func isAddrByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

// sendToAddress scores "send/forward/email ... to <address or URL>" in the
// lines copy: a weak tool_call_request hint on its own, and
// data_exfiltration when what is sent is customer data, secrets or the
// conversation. It is plain code: one pass over the '@' and "http" in the
// text instead of a large regexp.
func sendToAddress(lines string, f *findings) {
	best, data := 0.0, false
	check := func(st int) {
		pre := lines[max(0, st-160):st]
		if i := strings.LastIndexByte(pre, '\n'); i >= 0 {
			pre = pre[i+1:]
		}
		// The address must follow "to", "at", "into" or "via" (with an
		// optional "this address:" or "<" in between).
		p := strings.TrimRight(pre, " :<(\"'")
		for _, filler := range []string{"address", "url", "endpoint", "webhook", "link", "the following", "this", "our", "email", "e-mail"} {
			p = strings.TrimRight(strings.TrimSuffix(p, filler), " :")
		}
		ok := false
		for _, w := range []string{" to", " at", " into", " via"} {
			// " "+p ends with w, without building " "+p.
			if strings.HasSuffix(p, w[1:]) && (len(p) == len(w)-1 || p[len(p)-len(w)] == ' ') {
				ok = true
			}
		}
		if !ok {
			return
		}
		verb := false
		for i := 0; i < len(p) && !verb; {
			// The words of p: runs of a-z and '-' (other bytes, and
			// every byte of a non-ASCII rune, separate them).
			if c := p[i]; !(c >= 'a' && c <= 'z' || c == '-') {
				i++
				continue
			}
			j := i
			for j < len(p) && (p[j] >= 'a' && p[j] <= 'z' || p[j] == '-') {
				j++
			}
			verb = sendWords[p[i:j]]
			i = j
		}
		if !verb {
			return
		}
		best = 0.3
		for _, w := range exfilDataWords {
			if strings.Contains(p, w) {
				data = true
			}
		}
	}
	for i, n := 0, 0; n < 64; n++ {
		k := strings.IndexByte(lines[i:], '@')
		if k < 0 {
			break
		}
		k += i
		st := k
		for st > 0 && isAddrByte(lines[st-1]) {
			st--
		}
		if st < k && strings.IndexByte(lines[k+1:min(len(lines), k+80)], '.') >= 0 {
			check(st)
		}
		i = k + 1
	}
	for i, n := 0, 0; n < 64; n++ {
		k := strings.Index(lines[i:], "http")
		if k < 0 {
			break
		}
		k += i
		if strings.HasPrefix(lines[k:], "http://") || strings.HasPrefix(lines[k:], "https://") {
			check(k)
		}
		i = k + 4
	}
	if best > 0 {
		f.addPseudo(pSendTo, clsTool, best, "send_to_address")
	}
	if data {
		f.addPseudo(pSendData, clsExfil, 1, "send_data_to_address")
	}
}

// lineRoles scores fake turn prefixes at line starts ("System:",
// "Assistant:", "### System") in the lines copy. It is plain code rather
// than a regexp: it looks at each line's first word only.
func lineRoles(lines string, transcript bool, f *findings) {
	best := 0.0
	user, assistant := false, false
	for len(lines) > 0 {
		line := lines
		if i := strings.IndexByte(lines, '\n'); i >= 0 {
			line, lines = lines[:i], lines[i+1:]
		} else {
			lines = ""
		}
		heading := false
		j := 0
		for j < len(line) && strings.IndexByte(" \t>*_-[(\"'`#|", line[j]) >= 0 {
			if line[j] == '#' {
				heading = true
			}
			j++
		}
		k := j
		for k < len(line) && line[k] >= 'a' && line[k] <= 'z' {
			k++
		}
		if k == j || k-j > 13 {
			continue
		}
		role := line[j:k]
		bracketed := j > 0 && line[j-1] == '[' && k < len(line) && line[k] == ']' // "[system] ..."
		rest := strings.TrimLeft(line[k:], " \t])*_")
		suffix := ""
		if n := 0; !bracketed && len(rest) > 0 && rest[0] >= 'a' && rest[0] <= 'z' {
			for n < len(rest) && (rest[n] >= 'a' && rest[n] <= 'z' || rest[n] == ' ') && n < 24 {
				n++
			}
			suffix = strings.TrimSpace(rest[:n])
			rest = strings.TrimLeft(rest[n:], " \t])*_")
		}
		colon := strings.HasPrefix(rest, ":") || bracketed || strongDash(rest, suffix)
		if !colon && !(heading && strings.Trim(rest, "#= \t") == "") {
			continue
		}
		strongSuffix := false
		switch suffix {
		case "":
		case "override", "prompt", "instruction", "instructions", "message", "command", "directive", "policy",
			"prompt override", "instruction override", "admin", "administrator", "message from the administrator":
			strongSuffix = true
		case "update", "note", "notice", "alert", "mode", "status", "maintenance":
			// "SYSTEM NOTICE: maintenance completed" is an ordinary notice.
			if role == "system" || role == "sys" {
				continue
			}
		default:
			continue
		}
		w := 0.0
		switch role {
		case "system", "sys", "developer", "dev", "systeme", "sistema", "systeem", "systemet", "sustav", "sistem", "rendszer", "systemnachricht":
			w = 0.6
			if strongSuffix || heading && strings.Trim(rest, "#= \t") != "" {
				w = 1
			}
			if systemNotice(rest) {
				w = 0.2 // "[System] Scheduled maintenance on Saturday"
			}
		case "assistant", "ai", "gpt", "chatgpt", "claude", "llm", "gemini", "copilot", "bot", "chatbot":
			w = 0.8
			if role == "assistant" {
				w = 1
			}
			if role == "assistant" || role == "ai" {
				assistant = true
			}
			if heading {
				w = 1
			}
			if transcript && !heading {
				// A chat log quoted in a ticket: "Assistant:" is a speaker.
				w = 0.3
			}
		case "model":
			if strongSuffix || heading {
				w = 0.8
			}
		case "user", "human":
			user = true
			w = 0.2
		case "admin", "administrator", "root", "operator":
			w = 0.3
			if strongSuffix {
				w = 0.7
			}
		case "instructions", "instruction":
			if heading {
				w = 0.4
			}
		}
		if w > best {
			best = w
		}
	}
	if user && assistant && best < 1 && !transcript {
		best += 0.3
	}
	if best > 0 {
		f.addPseudo(pLineRole, clsRole, best, "line_role")
	}
}

// descriptive reports whether a matched action is described rather than
// asked for: an infinitive or modal before it ("to export all customers",
// "we will cancel all orders") or a restrictive clause after its object
// ("cancel any order that fails the check").
func descriptive(m *match) bool {
	pre := strings.TrimSpace(m.before(24))
	if i := strings.LastIndexByte(pre, ' '); i >= 0 {
		pre = pre[i+1:]
	}
	switch pre {
	case "to", "can", "will", "would", "could", "we", "they", "ll", "shall", "may", "might", "should", "usually", "automatically":
		return true
	}
	post := strings.TrimSpace(m.after(12))
	for _, w := range []string{"that ", "which ", "who ", "whose ", "where ", "with overdue", "older than", "placed before"} {
		if strings.HasPrefix(post, w) {
			return true
		}
	}
	return false
}

// systemNotice reports whether the text after a "System:" or "[System]"
// label reads as an operations notice (maintenance, downtime, an update)
// rather than instructions.
func systemNotice(after string) bool {
	if i := strings.IndexByte(after, '\n'); i >= 0 {
		after = after[:i]
	}
	return hasWordPrefix(after, "maintenance", "scheduled", "outage", "downtime", "upgrade", "restart", "backup", "wartung",
		"mantenimiento", "manutenzione", "onderhoud", "storing", "störung", "stoerung", "planned", "geplante", "deployed", "release")
}

// strongDash reports whether a role label is followed by a dash and
// an instruction-like suffix ("ADMIN MESSAGE — priority 1: ...").
func strongDash(rest, suffix string) bool {
	switch suffix {
	case "message", "override", "instruction", "instructions", "command", "directive", "prompt":
		return strings.HasPrefix(rest, "—") || strings.HasPrefix(rest, "–") || strings.HasPrefix(rest, "- ")
	}
	return false
}

// initEnglishTables builds this file's tables (called once, from ensureTables).
func initEnglishTables() {
	macros = map[string]string{
		// words that may sit between a verb and its object
		"MOD":      `(?:all|any|every|each|the|your|you|these|those|this|that|of|its|my|our|whatever|such|previous|previously|prior|above|earlier|preceding|foregoing|former|original|originally|initial|old|older|existing|current|given|provided|received|preset|default|built in|builtin|hidden|system|developer|developers|operator|operators|safety|security|ethical|internal|base|core|standing|preloaded|first|last|other|remaining|entire|whole|set of|list of|and|or|so far|before|aforementioned|above mentioned|programmed|assigned|configured|earlier given|you were given|you have been given|you ve been given|you received|you got|given to you|set for you)`,
		"INSTR":    `(?:instructions?|instruction set|rules?|rulebook|rule set|guidelines?|guidance|prompts?|system prompt|system message|directives?|commands?|constraints?|restrictions?|policies|policy|programming|training|conditioning|guardrails?|safeguards?|persona|briefing|orders given|directions|protocols?|context|configuration|settings|task|tasks|objectives?|mission|principles|limitations|boundaries)`,
		"OVR":      `(?:ignore|ignoring|ignores|disregard|disregarding|forget|forgetting|override|overrule|overriding|bypass|skip|discard|abandon|dismiss|neglect|drop|void|nullify|scrap|ditch|erase|wipe|clear|reset|suspend|supersede|supersedes|revoke|set aside|put aside|throw out|throw away|pay no attention to|pay no heed to|take no notice of|do not follow|don t follow|dont follow|do not obey|don t obey|stop following|stop obeying|no longer follow|no longer obey|not follow|not obey|unlearn|forgo|leave behind)`,
		"AINOUN":   `(?:ai|a i|llm|llms|gpt|chatgpt|claude|gemini|copilot|bard|llama|mistral|language models?|large language models?|ai models?|ai assistants?|ai agents?|ai systems?|ai tools?|ai bots?|ai helpers?|chatbots?|chat bots?|virtual assistants?|digital assistants?|automated assistants?|automated agents?|automated systems?|automated tools?|automated process|autonomous agents?|bots?|neural networks?|machine learning models?|ml models?)`,
		"SOFTNOUN": `(?:assistants?|agents?|models?|machines?|programs?|automation|system|robot|robots|copilot)`,
		"DATAOBJ":  `(?:customers?|clients?|users?|accounts?|contacts?|orders?|records?|emails?|e mails?|email addresses|addresses|phone numbers|credit cards?|card numbers|cards|payment details|payment data|payment information|invoices|transactions|shipments|passwords|credentials|api keys|keys|tokens|secrets|files|documents|data|database|personal data|pii|conversations|messages|chats|tickets|leads|prospects|subscribers|members|employees|suppliers|vendors|profiles|details|information)`,
		"SECRET":   `(?:system prompt|system message|system instructions|initial prompt|initial instructions|original prompt|original instructions|hidden instructions|hidden prompt|instructions you were given|developer message|developer instructions|prompt|configuration|config|api keys?|api tokens?|api credentials|secret keys?|secrets|credentials|passwords?|passcodes?|tokens?|access tokens?|auth tokens?|bearer tokens?|session tokens?|session cookies?|cookies|private keys?|environment variables|env vars|env file|ssh keys?|database credentials|connection strings?|admin password|root password|login details|login credentials|one time passwords?|2fa codes?|mfa codes?|otp|pin codes?)`,
	}
	sendWords = map[string]bool{}
}
