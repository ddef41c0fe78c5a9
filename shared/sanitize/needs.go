package sanitize

import "strings"

// ruleNeeds are second word lists for the rules whose triggers are common
// words: the regexp runs only when a trigger and one of these words occur
// in the same window. This keeps ordinary text off the regexp engine.
var ruleNeeds map[string]string

const (
	frWords = "le la les des du de d l une un tu vous ton ta tes votre vos si pour qui cette cet ce est et au aux ne pas plus toutes tous sans"
	deWords = "der die das den dem des und ist nicht du sie ein eine einen an zu mit alle deine ihre wenn falls bitte ohne von jetzt"
	esWords = "el la los las de del que y es un una para por si tu tus su sus al eres ahora todas todos sin"
	ptWords = "o a os as de do da dos das que e um uma para por se voce sua suas tua ao agora todas todos sem"
)

// ruleGates skip rules whose trigger substrings are common unless a cheap
// precondition holds.
var ruleGates map[string]func(c *copies) bool

var mlSendVerbs bitset

// wordSet adds the words to the vocabulary and returns them as a set.
func wordSet(s string) bitset {
	var b bitset
	for _, w := range strings.Fields(s) {
		b = b.add(wordID(w))
	}
	return b
}

var vocativeNouns bitset

// initNeedsTables builds this file's tables (called once, from ensureTables).
func initNeedsTables() {
	ruleNeeds = map[string]string{
		"override_verb_instr":         "ignore ignoring ignores disregard disregarding forget forgetting override overrule overriding bypass skip discard abandon dismiss neglect drop void nullify scrap ditch erase wipe clear reset suspend supersede supersedes revoke set put throw pay take do don dont stop no not unlearn forgo leave",
		"forget_everything":           "forget ignore disregard erase clear discard drop",
		"instr_void":                  "void null nullified cancelled canceled revoked obsolete superseded outdated invalid invalidated replaced overridden overwritten deprecated suspended lifted disabled rescinded withdrawn expired retired removed deleted irrelevant fake valid apply applies effect force test longer",
		"from_now_on":                 "you your",
		"take_orders_from":            "you only exclusively obey",
		"you_are_now":                 "you",
		"you_are_a_bot":               "you",
		"your_new_task":               "your",
		"new_instructions":            "new updated revised real actual true secret hidden priority urgent important override additional special",
		"override_safety":             "override bypass disable deactivate turn switch circumvent ignore remove lift suspend drop evade get jailbreak",
		"stop_being":                  "stop",
		"turn_on_principal":           "stop quit cease longer not don dont never",
		"reader_instructions_changed": "your",
		"system_phrases":              "begin start end beginning close override admin administrator message ends ended stops level",
		"system_message_word":         "message prompt notice alert instruction instructions directive command update policy note",
		"call_tool":                   "call invoke use run execute trigger fire launch activate",
		"mass_action":                 "send email e mail forward transfer export dump download upload post publish share leak reveal disclose print output list display show give provide return paste copy write include attach sync delete remove erase purge wipe drop cancel refund void close deactivate modify change update edit mark archive move transmit submit extract collect gather compile retrieve fetch read look summarize summarise tell approve ship reset disable suspend ban unsubscribe",
		"mass_action_of":              "change update modify edit set reset delete cancel refund export send forward copy remove erase wipe dump leak share mark void close",
		"stealth":                     "user human operator customer anyone anybody them supervisor reviewer owner admin person people staff team users humans",
		"stealth_approval":            "confirmation approval verification review permission authorization authorisation consent human checks checking",
		"money_move":                  "approve issue process grant authorize authorise execute make send initiate",
		"bank_change":                 "change update replace set switch modify redirect",
		"tell_user":                   "tell inform assure convince reassure remind recommend suggest say explain respond reply answer mislead persuade warn",
		"money_to_account":            "transfer wire send move pay credit refund deposit",
		"imperative_action":           "send sending forward forwarding email call invoke run execute refund cancel delete transfer export reveal print output list listing approve change update mark tell say reply respond include paste share sharing look fetch visit open click render display grant disclose add remove confirm close",
		"reveal_secret":               "reveal print show output repeat recite tell give send share leak disclose display return write dump copy paste include list provide echo spell expose what read translate summarize summarise encode email forward post upload",
		"what_is_your_prompt":         "what tell repeat show print reveal output display quote recite",
		"repeat_above":                "repeat print output copy reproduce recite echo write",
		"other_customers":             "customer customers client clients user users account accounts member members subscriber subscribers buyer buyers shopper shoppers people tenant tenants patient patients person persons",
		"of_other_customers":          "customer customers client clients user users account accounts member members subscriber subscribers buyer buyers people tenant tenants",
		"data_into_url":               "append add attach include embed encode put insert concatenate place inject substitute replace fill pass send",
		"render_image":                "image markdown badge pixel picture",
		"in_your_reply":               "your",
		"conversation_out":            "send forward email post upload share copy paste append attach include transmit leak submit export",
		"to_the_ai":                   "to for attention attn hey hi hello dear note message memo instructions p ps reminder notice request psst ok okay yo listen calling greetings important info heads question warning instruction this one quick small word",
		"ai_reading":                  "reading reads processing processes parsing parses summarizing summarising summarizes summarises handling handles analyzing analysing analyzes analyses reviewing reviews scanning scans ingesting ingests consuming looking working tasked answering assisting",
		"if_you_are_ai":               "if case should",
		"you_the_ai":                  "as you to",
		"ai_must":                     "must should shall need needs has have is are may ought will",
		"before_task":                 "solve solving complete completing finish finishing continue continuing proceed proceeding answer answering respond responding reply replying summarize summarise summarizing summarising do doing perform performing carry carrying return returning start starting move",
		"user_cannot_see":             "user human customer operator reader recipient people humans users customers readers only just",
		"principal_wants":             "user human operator principal owner admin administrator developer developers creator boss master supervisor",
		"claims_authority":            "i im m this we message sent from signed",
		"authorized_request":          "this you authorization authorisation permission clearance",
		"when_summarizing":            "when if once while whenever as",
		// The Latin-script languages share words with English; their rules
		// need a function word of their own language nearby.
		"fr_override": frWords, "fr_new_role": frWords, "fr_new_task": frWords, "fr_exfil": frWords, "fr_addressed": frWords, "fr_tool": frWords,
		"de_override": deWords, "de_void": deWords, "de_new_role": deWords, "de_new_task": deWords, "de_exfil": deWords, "de_addressed": deWords, "de_tool": deWords,
		"es_override": esWords, "es_new_role": esWords, "es_new_task": esWords, "es_exfil": esWords, "es_addressed": esWords, "es_tool": esWords,
		"pt_override": ptWords, "pt_new_role": ptWords, "pt_new_task": ptWords, "pt_exfil": ptWords, "pt_addressed": ptWords, "pt_tool": ptWords,
	}
	ruleGates = map[string]func(c *copies) bool{
		"snake_tool":            func(c *copies) bool { return strings.IndexByte(c.lines, '_') >= 0 },
		"vocative_ai":           func(c *copies) bool { return c.hasCue(cueVocative) && !c.isTranscript() },
		"human_assistant_turns": func(c *copies) bool { return !c.isTranscript() },
		"ml_send_email":         func(c *copies) bool { return c.nonLatin || c.hasCue(cueMLSend) },
	}
	mlSendVerbs = wordSet("envoie envoies envoiez envoyez envoyer transmets transmet transmettre transmettez transfere transferez transferer exporte exportez exporter partage partagez sende senden schicke schicken leite leiten weiterleiten ubermittle ubermitteln exportiere exportieren envia enviar envie reenvia manda mande mandar exporta exportar comparte compartir encaminhe encaminhar compartilhe compartilhar transfira transferir")
	vocativeNouns = wordSet("ai llm bot chatbot assistant claude gpt chatgpt gemini copilot agent helper model system")
}
