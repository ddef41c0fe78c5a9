package sanitize

import "strings"

// Rules for French, German, Spanish, Portuguese, Russian, Chinese and
// Japanese. They report class multilingual. Latin-script languages match
// the native copy with accents folded ("précédentes" -> "precedentes");
// Russian matches the native copy in Cyrillic; Chinese and Japanese match
// the native copy with substring triggers.

// qualified returns an adjust function: weight hi when the match (or the
// text just after it) holds one of the qualifiers, lo otherwise.
func qualified(hi, lo float64, quals ...string) func(*match) float64 {
	return func(m *match) float64 {
		t := m.text() + " " + m.after(50)
		for _, q := range quals {
			if strings.Contains(t, q) {
				return hi
			}
		}
		return lo
	}
}

// inLang wraps an adjust function: the match must hold one of the
// language's own words, so that English text ("ignore the previous
// instructions") does not also count as French, Spanish or Portuguese.
func inLang(f func(*match) float64, words ...string) func(*match) float64 {
	return func(m *match) float64 {
		if !hasWord(m.text(), words...) {
			return 0
		}
		return f(m)
	}
}

// ru word boundaries: \b is ASCII-only in Go regexps.
const rb, re = `(?:^| )`, `(?: |$)`

func registerIntl() {
	const ml = clsMultilingual

	// French ---------------------------------------------------------------
	addRule("fr_override", ml, 1, cNative, "instruction|instructions|consigne|consignes|regles|directive|directives|ordres|indications|prompt|prompts|invite|recommandations|contraintes|restrictions|programmation|regle",
		`\b(?:ignore[zs]?|ignorer|ignorant|oublie[zs]?|oublier|neglige[zs]?|negliger|ecarte[zs]?|ecarter|annule[zs]?|mets de cote|mettez de cote|laisse[zs]? tomber|fais abstraction|faites abstraction|faire abstraction|ne (?:tiens|tenez|tenir|tiens plus|tenez plus|plus tenir) (?:pas |plus )?compte|ne (?:suis|suivez|suivre|respecte[zs]?|obeis|obeissez|applique[zs]?) (?:plus|pas|jamais)|passe[zs]? outre|outrepasse[zs]?)(?: [a-z]+){0,5} (?:instructions?|consignes?|regles?|directives?|ordres|indications|prompts?|invites?|recommandations|contraintes|restrictions|programmation)\b`,
		inLang(qualified(1, 0.6, "precedent", "anterieur", "toutes", "tous", "ci dessus", "avant", "auparavant", "systeme", "initial", "original", " vos ", " tes ", "recue", "donnee", "jusqu ici", "plus haut", "jusqu a present", "jusqu a maintenant", "d origine"),
			"les", "des", "tes", "vos", "toutes", "tous", "de", "du", "la", "le", "l", "d", "ces", "ses", "precedentes", "anterieures", "compte", "abstraction", "ignorez", "oubliez", "oublie", "negligez", "ne", "consignes", "regles"))
	addRule("fr_new_role", ml, 0.9, cNative, "maintenant|desormais|present|dorenavant",
		`\b(?:tu es|vous etes) (?:maintenant|desormais|a present|dorenavant) (?:un |une |le |la |en |mon |ma )?(?:[a-z]+ ){0,2}(?:assistant|ia|robot|bot|modele|agent|mode|administrateur|developpeur|sans restriction|sans restrictions|sans limite|libre)\b|\b(?:a partir de maintenant|desormais|dorenavant|des maintenant|a partir d aujourd hui)(?: [a-z]+){0,2} (?:tu|vous) (?:es|etes|dois|devez|vas|allez|obeis|obeissez|reponds|repondez|ne|n|suivras|suivrez|obeiras|obeirez|ecoutes|ecoutez)\b`,
		func(m *match) float64 {
			if hasWord(m.text()+" "+m.after(40), "assistant", "ia", "robot", "modele", "agent", "mode", "obeis", "obeissez", "obeiras", "obeirez", "moi", "seulement", "uniquement", "restriction", "restrictions", "regles", "consignes") {
				return 0.9
			}
			return 0.4
		})
	addRule("fr_new_task", ml, 0.8, cNative, "tache|mission|instruction|consigne|regle|role|priorite|objectif|instructions|consignes|regles|directives",
		`\b(?:ta|votre) (?:nouvelle|vraie|veritable|seule|unique|premiere) (?:tache|mission|instruction|consigne|regle|role|priorite|objectif)\b|\bnouvelles? (?:instructions?|consignes?|regles|directives?)(?: prioritaires?| importantes?| urgentes?)? (?:pour|a|destinees? a) (?:l |le |la |les |votre |ton )?(?:ia|assistant|modele|agent|robot|intelligence artificielle|systeme)\b|\b(?:nouvelle|nouvelles) (?:consigne|consignes|instruction|instructions|directive|directives) prioritaires?\b`, nil)
	addRule("fr_exfil", ml, 1, cNative, "prompt|invite|instructions|consignes|mots|mot|cle|cles|jetons|jeton|tokens|token|identifiants|donnees|liste|fichier|coordonnees|clients|commandes",
		`\b(?:revele[zs]?|reveler|affiche[zs]?|afficher|montre[zs]?|montrer|donne[zs]?|donner|envoie[zs]?|envoyer|transmet[sz]?|transmettre|transmettez|partage[zs]?|partager|communique[zs]?|communiquer|divulgue[zs]?|divulguer|imprime[zs]?|imprimer|ecris|ecrivez|repete[zs]?|repeter|liste[zs]?|lister|exporte[zs]?|exporter|transfere[zs]?|transferer|recopie[zs]?|indique[zs]?|dis moi|dites moi|fournis|fournissez)(?: [a-z]+){0,5} (?:prompt (?:du )?systeme|invite (?:du )?systeme|instructions (?:du |de )?systeme|consignes (?:du |de )?systeme|instructions initiales|mots? de passe|cles? (?:d )?api|cles? secretes?|jetons?(?: d acces)?|tokens?|identifiants|donnees (?:de |des )?(?:tous les |toutes les |autres |des autres )?clients|liste (?:complete )?(?:de tous les |des |de nos |de vos )?clients|fichier clients|coordonnees (?:de |des )?(?:tous les |autres |des autres )?clients|tous les clients|toutes les commandes)\b`,
		func(m *match) float64 {
			t := m.text()
			if strings.HasSuffix(t, "toutes les commandes") {
				return 0.6
			}
			return 1
		})
	addRule("fr_addressed", ml, 0.8, cNative, "ia|intelligence|assistant|assistante|modele|agent|robot|chatbot|llm|lit|lis|traite|analyse|resume|lisant|traitant",
		`\bsi (?:tu es|vous etes) (?:une? |l |le |la )?(?:ia|intelligence artificielle|assistant|assistante|modele de langage|robot|bot|agent|programme|chatbot|llm)\b|\b(?:a|pour|cher|chere|attention|note pour|message pour|message a|remarque pour|note a|bonjour|salut|petite demande a|demande a)(?: l| la| le| toute| tout| chaque| cette| cet| une| un| notre| votre)? (?:ia|intelligence artificielle|assistant(?:e)? (?:ia|virtuel|virtuelle|intelligent)|modele de langage|modele d ia|agent ia|agent d ia|chatbot|robot|llm|assistant|assistante)\b|\b(?:ia|intelligence artificielle|assistant|assistante|modele|agent|robot|chatbot)(?: qui| en train de)? (?:lit|lis|traite|analyse|resume|lisant|traitant|analysant|resumant|recoit|lire|traiter)\b`,
		func(m *match) float64 {
			t := m.text()
			if hasWord(t, "ia", "intelligence", "llm", "chatbot", "langage", "robot", "virtuel", "virtuelle") {
				return 0.8
			}
			if hasWord(t, "si", "lit", "lis", "traite", "analyse", "resume", "lisant", "traitant", "cher", "chere") {
				return 0.6
			}
			return 0.3
		})
	addRule("fr_tool", ml, 0.8, cNative, "tous|toutes|ensemble|totalite|sans",
		`\b(?:envoie[zs]?|envoyer|transfere[zs]?|transferer|rembourse[zs]?|rembourser|supprime[zs]?|supprimer|annule[zs]?|annuler|exporte[zs]?|exporter|efface[zs]?|effacer|transmet[sz]?|transmettre|partage[zs]?|partager|liste[zs]?|lister|copie[zs]?|copier)(?: immediatement| tout de suite| maintenant| moi| nous)? (?:tous|toutes|l ensemble|la totalite|la liste complete) (?:les |des |de )?(?:[a-z]+ )?(?:clients|commandes|donnees|contacts|fiches|comptes|factures|enregistrements|utilisateurs|adresses|e mails|emails|mots de passe)\b|\bsans (?:en )?(?:informer|avertir|prevenir|demander a|aviser|notifier|le dire a|rien dire a|consulter) (?:l utilisateur|le client|personne|l humain|l operateur|les utilisateurs|un humain|quiconque)\b`,
		func(m *match) float64 {
			t := m.text()
			if strings.HasPrefix(t, "sans") {
				return 0.6
			}
			if hasWord(t, "mes", "nos") {
				return 0.3
			}
			return 0.8
		})

	// German ---------------------------------------------------------------
	const deNoun = `(?:anweisungen|anweisung|instruktionen|regeln|richtlinien|vorgaben|befehle|anordnungen|prompts?|systemanweisungen|systemprompt|systemvorgaben|direktiven|einschrankungen|einschraenkungen|vorschriften|anleitungen|instruktion|weisungen|vorgabe|regel|grundsatze|grundsaetze)`
	addRule("de_override", ml, 1, cNative, "anweisungen|anweisung|instruktionen|regeln|richtlinien|vorgaben|befehle|anordnungen|prompt|prompts|systemanweisungen|systemprompt|systemvorgaben|direktiven|einschrankungen|einschraenkungen|vorschriften|instruktion|weisungen|vorgabe|regel",
		`\b(?:ignorier(?:e|en|t|st)?|vergiss|vergessen sie|vergesst|verwirf|verwerfen sie|missachte|missachten sie|uberschreibe|ueberschreibe|uberschreiben sie|ueberschreiben sie|umgehe|umgehen sie|hebe|heben sie|lass|lassen sie|streiche|streichen sie|verwerfe)(?: [a-z]+){0,5} `+deNoun+`\b|\b(?:beachte|beachten sie|befolge|befolgen sie|folge|folgen sie|halte dich an|halten sie sich an)(?: [a-z]+){0,2} (?:nicht mehr|nicht|keine|keinerlei)(?: [a-z]+){0,3} `+deNoun+`\b|\b`+deNoun+`(?: [a-z]+){0,4} (?:nicht mehr|nicht|keine) (?:beachten|befolgen|folgen|einhalten|gelten)\b`,
		qualified(1, 0.5, "alle", "samtliche", "saemtliche", "bisherig", "vorherig", "fruher", "frueher", "obig", "vorig", "vorangegangen", "ursprunglich", "urspruenglich", "deine", "ihre", "dir ", "ihnen", "gegeben", "system", "erhalten", "bis jetzt", "bis hierher", "zuvor", "alten"))
	addRule("de_void", ml, 1, cNative, "anweisungen|regeln|vorgaben|richtlinien|instruktionen|befehle",
		`\b(?:deine|ihre|alle|die|sämtliche|samtliche|saemtliche) (?:bisherigen |vorherigen |fruheren |frueheren |obigen |alten |ursprunglichen |urspruenglichen |gegebenen )?(?:anweisungen|regeln|vorgaben|richtlinien|instruktionen|befehle) (?:gelten|sind|waren|haben)(?: ab sofort| ab jetzt| jetzt| nun| ab heute)? (?:nicht mehr|ungultig|ungueltig|aufgehoben|hinfallig|hinfaellig|veraltet|ausser kraft|nichtig|keine gultigkeit|keine gueltigkeit|widerrufen)\b`, nil)
	addRule("de_new_role", ml, 0.9, cNative, "jetzt|nun|sofort|an|moment",
		`\b(?:du bist|sie sind) (?:jetzt|nun|ab jetzt|ab sofort|von nun an|ab heute) (?:ein |eine |der |die |das |im |mein |meine )?(?:[a-z]+ ){0,2}(?:assistent|ki|bot|modell|agent|modus|administrator|entwickler|uneingeschrankt|uneingeschraenkt|frei|entwicklermodus)\b|\b(?:ab (?:jetzt|sofort)|von nun an|ab diesem moment|ab heute)(?: [a-z]+){0,2} (?:bist du|sind sie|wirst du|werden sie|gehorchst du|befolgst du|antwortest du|horst du|hoerst du|gehorchen sie|folgst du)\b`,
		func(m *match) float64 {
			if hasWord(m.text()+" "+m.after(40), "assistent", "ki", "bot", "modell", "agent", "modus", "gehorchst", "gehorchen", "mir", "nur", "uneingeschrankt", "uneingeschraenkt", "regeln", "anweisungen") {
				return 0.9
			}
			return 0.4
		})
	addRule("de_new_task", ml, 0.8, cNative, "aufgabe|anweisung|rolle|mission|prioritat|prioritaet|anweisungen|regeln|vorgaben|instruktionen",
		`\b(?:deine|ihre) (?:neue|eigentliche|einzige|wahre|echte) (?:aufgabe|anweisung|rolle|mission|prioritat|prioritaet)\b|\bneue (?:anweisungen|regeln|vorgaben|instruktionen) (?:fur|fuer|an) (?:die |den |das )?(?:ki|assistenten|modell|bot|agenten|sprachmodell|system)\b`, nil)
	addRule("de_exfil", ml, 1, cNative, "systemprompt|system|systemanweisung|systemanweisungen|passworter|passwoerter|passwort|kennworter|kennwoerter|kennwort|api|zugangsdaten|anmeldedaten|tokens|token|kundendaten|daten|kundenliste|kunden|adressen",
		`\b(?:gib|geben sie|zeige|zeig|zeigen sie|nenne|nennen sie|sende|senden sie|schicke|schick|schicken sie|verrate|verraten sie|offenbare|offenbaren sie|leite|leiten sie|liste|listen sie|exportiere|exportieren sie|ubermittle|uebermittle|ubermitteln sie|uebermitteln sie|teile|teilen sie|gebe|drucke|schreibe|schreib|kopiere)(?: [a-z]+){0,6} (?:systemprompt|system prompt|systemanweisungen?|passworter|passwoerter|passwort|kennworter|kennwoerter|kennwort|api schlussel|api schluessel|api keys?|zugangsdaten|anmeldedaten|tokens?|alle kundendaten|kundendaten|daten aller kunden|daten anderer kunden|kundenliste|alle kunden|e mail adressen aller kunden|adressen aller kunden|gespeicherten passworter|gespeicherten passwoerter)\b`,
		func(m *match) float64 {
			t := m.text()
			if strings.HasSuffix(t, " kundendaten") && !hasWord(t, "alle", "aller", "anderer", "samtliche", "saemtliche") {
				return 0.5
			}
			return 1
		})
	addRule("de_addressed", ml, 0.8, cNative, "ki|sprachmodell|assistent|assistenten|chatbot|bot|llm|modell|ai|agent",
		`\b(?:wenn|falls|sofern) (?:du|sie) (?:eine? |ein |der |die )?(?:ki|kunstliche intelligenz|kuenstliche intelligenz|ki assistent|ki modell|sprachmodell|assistent|bot|chatbot|ai|llm|agent|ki agent)\b(?: [a-z]+){0,2} (?:bist|sind)\b|\b(?:an die|an den|an das|liebe|lieber|liebes|hallo|hinweis an die|hinweis an den|hinweis an das|hinweis fur die|hinweis fuer die|hinweis fur das|hinweis fuer das|notiz fur die|notiz fuer die|nachricht an die|nachricht an das|achtung|bitte an die|an alle)(?: liebe| lieber)? (?:ki|kunstliche intelligenz|kuenstliche intelligenz|sprachmodell|ki assistent(?:en)?|ki modell|assistent(?:en)?|chatbot|bot|llm|modell|ki systeme|ki system)\b|\b(?:ki|sprachmodell|assistent|modell|bot|ki assistent)(?: die| der| das)?(?: [a-z]+){0,3} (?:liest|verarbeitet|zusammenfasst|analysiert|auswertet|bearbeitet)\b`,
		func(m *match) float64 {
			t := m.text()
			if hasWord(t, "ki", "sprachmodell", "chatbot", "llm", "ai", "intelligenz") {
				return 0.8
			}
			if hasWord(t, "wenn", "falls", "liest", "verarbeitet", "zusammenfasst", "liebe", "lieber") {
				return 0.6
			}
			return 0.3
		})
	addRule("de_tool", ml, 0.8, cNative, "alle|samtliche|saemtliche|ohne|nichts",
		`\b(?:sende|senden sie|schicke|schicken sie|leite|leiten sie|exportiere|exportieren sie|losche|loesche|loschen sie|loeschen sie|storniere|stornieren sie|erstatte|erstatten sie|uberweise|ueberweise|uberweisen sie|ueberweisen sie|kopiere|ubermittle|uebermittle|senden|schicken|exportieren|loschen|loeschen|stornieren|erstatten|weiterleiten|ubermitteln|uebermitteln)(?: [a-z]+){0,3} (?:alle|samtliche|saemtliche) (?:[a-z]+ )?(?:kunden|bestellungen|auftrage|auftraege|datensatze|datensaetze|kontakte|kundendaten|daten|rechnungen|konten|benutzer|e mail adressen|adressen|passworter|passwoerter)\b|\bohne (?:den |die |das |einen )?(?:nutzer|benutzer|kunden|jemanden|anwender|menschen|betreiber|jemand) (?:zu )?(?:informieren|fragen|benachrichtigen|warnen|zu informieren|zu fragen)\b|\b(?:sag|sage|sagen sie|informiere|informieren sie|verrate) (?:dem|den) (?:nutzer|benutzer|kunden|menschen) (?:nichts|davon nichts)\b`,
		func(m *match) float64 {
			t := m.text()
			if strings.HasPrefix(t, "ohne") || strings.HasPrefix(t, "sag") || strings.HasPrefix(t, "inform") {
				return 0.6
			}
			if hasWord(t, "meine", "unsere", "unserer") {
				return 0.3
			}
			return 0.8
		})

	// Spanish --------------------------------------------------------------
	addRule("es_override", ml, 1, cNative, "instrucciones|instruccion|indicaciones|reglas|directrices|ordenes|normas|pautas|prompt|prompts|directivas|restricciones|consignas|mensajes",
		`\b(?:ignora|ignore|ignoren|ignorar|ignores|olvida|olvide|olviden|olvidar|olvidate|olvidese|descarta|descarte|descarten|desestima|desestime|omite|omita|omitan|haz caso omiso|haga caso omiso|hagan caso omiso|no hagas caso|no haga caso|deja de lado|deje de lado|dejen de lado|no sigas|no siga|no obedezcas|no obedezca|anula|anule|pasa por alto|pase por alto|salta|saltate)(?: [a-z]+){0,5} (?:instrucciones|instruccion|indicaciones|reglas|directrices|ordenes|normas|pautas|prompts?|directivas|restricciones|consignas)\b`,
		inLang(qualified(1, 0.5, "anterior", "previa", "precedente", "de arriba", "del sistema", "original", "inicial", "todas", "todos", "tus ", "sus ", "recibiste", "recibio", "te dieron", "le dieron", "hasta ahora", "antes", "que tenias", "que tienes"),
			"las", "los", "todas", "todos", "tus", "sus", "de", "del", "anteriores", "previas", "instrucciones", "indicaciones", "reglas", "normas", "olvida", "ignora", "omite", "caso", "haz", "haga", "deja", "no"))
	addRule("es_new_role", ml, 0.9, cNative, "ahora|eres",
		`\b(?:ahora eres|a partir de ahora eres|desde ahora eres|ahora usted es|ya no eres)(?: un| una| el| la| mi)?(?: [a-z]+){0,2} (?:asistente|ia|bot|modelo|agente|modo|administrador|desarrollador|sin restricciones|libre)\b|\b(?:a partir de ahora|desde ahora|de ahora en adelante|ahora)(?: [a-z]+){0,2} (?:eres|seras|debes|respondes|obedeces|solo respondes|tu eres|usted debe|usted es|obedeceras|responderas)\b`,
		func(m *match) float64 {
			if hasWord(m.text()+" "+m.after(40), "asistente", "ia", "bot", "modelo", "agente", "modo", "obedeces", "obedeceras", "solo", "unicamente", "restricciones", "reglas", "nota", "mensaje") {
				return 0.9
			}
			return 0.4
		})
	addRule("es_new_task", ml, 0.8, cNative, "tarea|mision|instruccion|funcion|prioridad|orden|regla|objetivo|instrucciones|reglas|directrices|ordenes",
		`\b(?:tu|su) (?:nueva|verdadera|unica|real) (?:tarea|mision|instruccion|funcion|prioridad|orden|regla|objetivo)\b|\bnuevas (?:instrucciones|reglas|directrices|ordenes)(?: prioritarias| urgentes)? (?:para|al|a la) (?:el |la )?(?:ia|asistente|modelo|agente|bot|sistema)\b`, nil)
	addRule("es_exfil", ml, 1, cNative, "prompt|instrucciones|mensaje|contrasena|contrasenas|claves|clave|tokens|token|credenciales|datos|lista|clientes|base|correos",
		`\b(?:revela|revele|revelar|muestra|muestrame|muestre|mostrar|dame|deme|dime|digame|envia|enviame|envie|enviar|comparte|comparta|compartir|imprime|imprima|proporciona|proporcione|divulga|divulgue|filtra|exporta|exporte|reenvia|reenvie|transfiere|transfiera|lista|enumera|escribe|copia)(?: [a-z]+){0,5} (?:prompt del sistema|prompt de sistema|instrucciones del sistema|mensaje del sistema|instrucciones iniciales|contrasenas?|claves? (?:de )?(?:la )?api|claves api|claves secretas|tokens?|credenciales|datos de (?:todos los|todas las|otros|los demas) clientes|lista (?:completa )?de (?:todos los )?clientes|todos los clientes|base de datos de clientes|correos de (?:todos los )?clientes)\b`, nil)
	addRule("es_addressed", ml, 0.8, cNative, "ia|inteligencia|asistente|modelo|bot|chatbot|agente|llm|lee|procesa|leyendo|resume|analiza",
		`\bsi (?:eres|usted es|tu eres) (?:una? |el |la )?(?:ia|inteligencia artificial|asistente(?: de ia| virtual)?|modelo de lenguaje|modelo de ia|bot|chatbot|agente|programa|llm)\b|\b(?:a|para|querido|querida|estimado|estimada|atencion|nota para|mensaje para|hola|aviso para|pedido para)(?: la| el| cualquier| toda| todo| mi| nuestro| nuestra)? (?:ia|inteligencia artificial|asistente de ia|asistente virtual|modelo de lenguaje|modelo de ia|agente de ia|chatbot|bot|llm|asistente)\b|\b(?:asistente|ia|modelo|agente|bot)(?: que| el cual| la cual)? (?:lee|esta leyendo|procesa|esta procesando|resume|analiza|lea|procese)\b`,
		func(m *match) float64 {
			t := m.text()
			if hasWord(t, "ia", "inteligencia", "llm", "chatbot", "bot", "lenguaje", "virtual") {
				return 0.8
			}
			if hasWord(t, "si", "lee", "leyendo", "procesa", "procesando", "resume", "analiza", "querido", "querida") {
				return 0.6
			}
			return 0.3
		})
	addRule("es_tool", ml, 0.8, cNative, "todos|todas|totalidad|listado|sin",
		`\b(?:envia|envie|reenvia|reenvie|transfiere|transfiera|reembolsa|reembolse|elimina|elimine|borra|borre|cancela|cancele|exporta|exporte|comparte|comparta|copia|copie|manda|mande|enviar|reenviar|transferir|reembolsar|eliminar|borrar|cancelar|exportar|compartir|copiar|mandar)(?: [a-z]+){0,2} (?:todos los|todas las|la totalidad de los?|el listado de todos los|los datos de todos los) (?:[a-z]+ )?(?:clientes|pedidos|datos|registros|contactos|cuentas|facturas|usuarios|ordenes|correos|contrasenas)\b|\bsin (?:avisar|informar|notificar|preguntar|consultar|decir(?:le)? nada)(?: a| al)? (?:usuario|cliente|nadie|humano|operador|los usuarios)\b`,
		func(m *match) float64 {
			t := m.text()
			if strings.HasPrefix(t, "sin") {
				return 0.6
			}
			if hasWord(t, "mis", "nuestros", "nuestras") {
				return 0.3
			}
			return 0.8
		})

	// Portuguese -----------------------------------------------------------
	addRule("pt_override", ml, 1, cNative, "instrucoes|instrucao|regras|diretrizes|orientacoes|ordens|comandos|prompt|prompts|diretivas|restricoes|normas",
		`\b(?:ignore|ignora|ignorar|ignorem|ignores|esqueca|esquecam|esquece|esquecer|desconsidere|desconsidera|desconsiderar|desconsiderem|despreze|despreza|desprezar|descarte|descarta|descartar|nao siga|nao sigas|nao obedeca|deixe de lado|deixa de lado|anule|passe por cima|pule)(?: [a-z]+){0,5} (?:instrucoes|instrucao|regras|diretrizes|orientacoes|ordens|comandos|prompts?|diretivas|restricoes|normas)\b`,
		inLang(qualified(1, 0.5, "anterior", "previa", "acima", "do sistema", "original", "inicia", "todas", "todos", "suas ", "tuas ", "recebeu", "recebid", "ate agora", "antes", "anteriormente", "que tinha", "que tem", "que lhe", "que te"),
			"as", "os", "todas", "todos", "suas", "tuas", "de", "do", "da", "anteriores", "previas", "instrucoes", "regras", "esqueca", "desconsidere", "despreze", "nao", "deixe"))
	addRule("pt_new_role", ml, 0.9, cNative, "agora|diante|doravante",
		`\b(?:agora voce e|a partir de agora voce e|agora es|agora tu es|voce agora e|de agora em diante voce e)(?: um| uma| o| a| meu| minha)?(?: [a-z]+){0,2} (?:assistente|ia|bot|modelo|agente|modo|administrador|desenvolvedor|sem restricoes|livre)\b|\b(?:a partir de agora|de agora em diante|doravante|agora)(?: [a-z]+){0,2} (?:voce e|voce sera|tu es|voce deve|voce responde|voce obedece|voce so|voce vai|tu deves|obedeces)\b`,
		func(m *match) float64 {
			if hasWord(m.text()+" "+m.after(40), "assistente", "ia", "bot", "modelo", "agente", "modo", "obedece", "obedeces", "so", "apenas", "restricoes", "regras", "nota", "mensagem") {
				return 0.9
			}
			return 0.4
		})
	addRule("pt_new_task", ml, 0.8, cNative, "tarefa|missao|instrucao|funcao|prioridade|ordem|regra|objetivo|instrucoes|regras|diretrizes|ordens",
		`\b(?:sua|tua) (?:nova|verdadeira|unica|real) (?:tarefa|missao|instrucao|funcao|prioridade|ordem|regra|objetivo)\b|\bnovas (?:instrucoes|regras|diretrizes|ordens)(?: prioritarias| urgentes)? (?:para|ao|a) (?:a |o )?(?:ia|assistente|modelo|agente|bot|sistema)\b`, nil)
	addRule("pt_exfil", ml, 1, cNative, "prompt|instrucoes|mensagem|senha|senhas|chave|chaves|tokens|token|credenciais|dados|lista|clientes|base|mails",
		`\b(?:revele|revela|revelar|mostre|mostra|mostrar|me de|de me|me diga|diga me|envie|envia|enviar|me envie|compartilhe|compartilha|compartilhar|imprima|forneca|fornece|divulgue|exporte|exporta|exportar|encaminhe|transfira|liste|escreva|copie|mande)(?: [a-z]+){0,5} (?:prompt do sistema|prompt de sistema|instrucoes do sistema|mensagem do sistema|instrucoes iniciais|senhas?|chaves? (?:de )?api|chaves secretas|tokens?|credenciais|dados de (?:todos os|todas as|outros) clientes|lista (?:completa )?de (?:todos os )?clientes|todos os clientes|base de dados de clientes|base de clientes|e mails de (?:todos os )?clientes)\b`, nil)
	addRule("pt_addressed", ml, 0.8, cNative, "ia|inteligencia|assistente|modelo|bot|chatbot|agente|llm|le|lendo|processa|resume|analisa",
		`\bse (?:voce|tu) (?:e|for|es) (?:uma? |o |a )?(?:ia|inteligencia artificial|assistente(?: de ia| virtual)?|modelo de linguagem|modelo de ia|bot|chatbot|agente|programa|llm)\b|\b(?:a|para|para a|para o|querido|querida|prezado|prezada|atencao|nota para|mensagem para|ola|aviso para|pedido para)(?: a| o| qualquer| toda| todo| minha| meu)? (?:ia|inteligencia artificial|assistente de ia|assistente virtual|modelo de linguagem|modelo de ia|agente de ia|chatbot|bot|llm|assistente)\b|\b(?:ia|assistente|modelo|agente|bot)(?: que)? (?:le|esta lendo|esta a ler|processa|esta processando|esta a processar|resume|analisa)\b`,
		func(m *match) float64 {
			t := m.text()
			if hasWord(t, "ia", "inteligencia", "llm", "chatbot", "bot", "linguagem", "virtual") {
				return 0.8
			}
			if hasWord(t, "se", "le", "lendo", "processa", "resume", "analisa", "querido", "querida") {
				return 0.6
			}
			return 0.3
		})
	addRule("pt_tool", ml, 0.8, cNative, "todos|todas|totalidade|sem",
		`\b(?:envie|envia|encaminhe|transfira|reembolse|reembolsa|exclua|apague|apaga|cancele|cancela|exporte|exporta|compartilhe|delete|remova|copie|mande|enviar|encaminhar|transferir|reembolsar|excluir|apagar|cancelar|exportar|compartilhar|remover|copiar|mandar)(?: [a-z]+){0,2} (?:todos os|todas as|a totalidade dos?) (?:[a-z]+ )?(?:clientes|pedidos|encomendas|dados|registros|registos|contatos|contactos|contas|faturas|usuarios|utilizadores|e mails|senhas)\b|\bsem (?:avisar|informar|notificar|perguntar|consultar|dizer nada)(?: a| ao| o| aos)? (?:usuario|utilizador|cliente|ninguem|humano|operador|usuarios)\b`,
		func(m *match) float64 {
			t := m.text()
			if strings.HasPrefix(t, "sem") {
				return 0.6
			}
			if hasWord(t, "meus", "minhas", "nossos", "nossas") {
				return 0.3
			}
			return 0.8
		})

	// Russian --------------------------------------------------------------
	addRule("ru_override", ml, 1, cNative, "инструкции|инструкций|инструкциям|инструкция|указания|указаний|указаниям|правила|правил|правилам|команды|команд|директивы|директив|промпт|промпта|подсказки|установки|установок|распоряжения|ограничения|ограничений|инструкцию",
		rb+`(?:игнорируй|игнорируйте|игнорировать|проигнорируй|проигнорируйте|забудь|забудьте|забыть|не обращай внимания на|не обращайте внимания на|не учитывай|не учитывайте|отбрось|отбросьте|пренебреги|пренебрегите|отмени|отмените|не следуй|не следуйте|не выполняй|не выполняйте|перестань следовать|перестаньте следовать|не слушай|не слушайте|обойди|обойдите|отключи|отключите)(?: [а-яa-z]+){0,5} (?:инструкции|инструкций|инструкциям|инструкцию|указания|указаний|указаниям|правила|правил|правилам|команды|команд|директивы|директив|промпт|промпта|подсказки|установки|установок|распоряжения|ограничения|ограничений)`+re,
		qualified(1, 0.5, "все", "всех", "предыдущ", "прежн", "предшеству", "вышеуказ", "вышеизлож", "прошл", "ранее", "системн", "исходн", "изначальн", "свои", "твои", "ваши", "данные тебе", "полученн", "до этого", "старые"))
	addRule("ru_new_role", ml, 0.9, cNative, "теперь|отныне|момента|сих",
		rb+`(?:теперь|отныне|с этого момента|с этой минуты|с сих пор)(?: [а-яa-z]+){0,2} (?:ты|вы)(?: [а-яa-z]+){0,3}`+re,
		func(m *match) float64 {
			if hasWord(m.text()+" "+m.after(60), "ассистент", "ии", "бот", "модель", "агент", "режим", "администратор", "подчиняешься", "подчиняйся", "слушаешься", "только", "мне", "ограничений", "правил", "разработчика") {
				return 0.9
			}
			return 0.4
		})
	addRule("ru_new_task", ml, 0.8, cNative, "задача|роль|инструкция|цель|миссия|инструкции",
		rb+`(?:твоя|ваша) (?:новая|настоящая|единственная|главная|истинная) (?:задача|роль|инструкция|цель|миссия)`+re+`|`+rb+`новые (?:инструкции|указания|правила) (?:для|к) (?:ии|ассистента|модели|бота|агента|нейросети|системы)`+re, nil)
	addRule("ru_exfil", ml, 1, cNative, "промпт|инструкцию|инструкции|сообщение|пароли|пароль|ключ|ключи|токен|токены|данные|список|базу|контакты|клиентов",
		rb+`(?:покажи|покажите|раскрой|раскройте|выведи|выведите|выдай|выдайте|сообщи|сообщите|отправь|отправьте|перешли|перешлите|дай|дайте|напиши|напишите|назови|назовите|скинь|скиньте|передай|передайте|экспортируй|экспортируйте|распечатай|повтори|повторите)(?: [а-яa-z]+){0,5} (?:системный промпт|системную инструкцию|системные инструкции|системное сообщение|исходные инструкции|пароли|пароль|api ключ|api ключи|ключи api|ключ api|токен|токены|учетные данные|данные (?:всех|других) клиентов|список (?:всех )?клиентов|базу клиентов|всех клиентов|контакты (?:всех )?клиентов|базу данных клиентов)`+re, nil)
	addRule("ru_addressed", ml, 0.8, cNative, "ии|ассистент|ассистента|ассистенту|нейросеть|нейросети|модель|модели|бот|бота|боту|llm|ai|интеллект|интеллекта|интеллекту|агент",
		rb+`(?:если ты|если вы)(?: [а-я]+)? (?:ии|искусственный интеллект|языковая модель|языковой моделью|ассистент|бот|нейросеть|нейронная сеть|чат бот|llm|ai|агент|модель)`+re+`|`+rb+`(?:для|к|дорогой|дорогая|уважаемый|уважаемая|внимание|примечание для|заметка для|сообщение для|привет|обращение к|просьба к)(?: всем)? (?:ии|искусственного интеллекта|искусственному интеллекту|ассистента|ассистенту|ассистент|нейросети|нейросеть|языковой модели|языковая модель|ai|llm|бота|боту|чат бота|модели)`+re+`|`+rb+`(?:ии|ассистент|нейросеть|модель|бот|ai)(?: который| которая| что)? (?:читает|читающий|читающая|обрабатывает|обрабатывающий|анализирует|анализирующий)`+re,
		func(m *match) float64 {
			t := m.text()
			if hasWord(t, "ии", "нейросеть", "нейросети", "llm", "ai", "интеллект", "интеллекта", "интеллекту", "языковая", "языковой", "бот", "бота", "боту") {
				return 0.8
			}
			if hasWord(t, "если", "читает", "обрабатывает", "дорогой") {
				return 0.6
			}
			return 0.3
		})
	addRule("ru_tool", ml, 0.8, cNative, "всех|все|всё|пользователю|пользователя|клиенту|клиента|никому|без",
		rb+`(?:отправь|отправьте|перешли|перешлите|экспортируй|экспортируйте|удали|удалите|отмени|отмените|верни деньги за|верните деньги за|переведи|переведите|выгрузи|выгрузите|скопируй|скопируйте|отправить|переслать|экспортировать|удалить|отменить|выгрузить|скопировать|передать)(?: [а-я]+){0,2} (?:всех|все|всё) (?:[а-я]+ )?(?:клиентов|заказы|заказов|данные|записи|контакты|счета|аккаунты|пользователей|пароли)`+re+`|`+rb+`не (?:говори|говорите|сообщай|сообщайте|уведомляй|уведомляйте|предупреждай|предупреждайте|рассказывай)(?: об этом| ничего)? (?:пользователю|пользователя|клиенту|клиента|никому|человеку)`+re+`|`+rb+`без (?:уведомления|ведома|согласия|предупреждения|подтверждения) (?:пользователя|клиента|человека)`+re,
		func(m *match) float64 {
			t := m.text()
			if hasWord(t, "мои", "наши") {
				return 0.3
			}
			if hasWord(t, "не", "без") {
				return 0.6
			}
			return 0.8
		})

	// Data sent to an outside address, in any of the seven languages.
	addRule("ml_send_email", ml, 0.3, cLines, "@",
		`(?:\b(?:envoie[zs]?|envoyer|transmet[sz]?|transmettre|transfere[zs]?|transferer|exporte[zs]?|exporter|partage[zs]?|sende|senden|schicke|schicken|leite|leiten|weiterleiten|ubermittle|ubermitteln|exportiere|exportieren|envia|enviar|envie|reenvia|manda|mande|mandar|exporta|exporte|exportar|comparte|compartir|encaminhe|encaminhar|compartilhe|compartilhar|transfira|transferir)\b|отправ|перешл|экспорт|выгруз|передай|发送|發送|发到|發到|发给|發給|转发|轉發|导出|導出|送信|送って|転送|エクスポート)[^\n]{0,100}?[a-z0-9._%+\-]+@[^\s@]+\.[a-z]{2,}`,
		func(m *match) float64 {
			t := m.text()
			for _, w := range []string{"client", "kunde", "клиент", "客户", "客戶", "顧客", "donnees", "datos", "dados", "daten", "данные", "数据", "資料", "データ", "contact", "kontakt", "liste", "lista", "список", "名单", "名單", "リスト", "passw", "senha", "contrasen", "пароль", "密码", "密碼", "パスワード", "conversation", "historique", "verlauf", "historial", "historico", "история", "记录", "記錄", "履歴"} {
				if strings.Contains(t, w) {
					return 1
				}
			}
			return 0.3
		})

	// Chinese --------------------------------------------------------------
	addRule("zh_override", ml, 1, cCJK, "忽略|无视|無視|忽视|忽視|理会|理會|别管|別管|忘记|忘記|忘掉|抛开|拋開|放弃|放棄|跳过|跳過|覆盖|覆蓋|丢弃|丟棄|不再遵守|不要遵守|不要遵循|停止遵守|废除|廢除|不用管|不必理",
		`(?:忽略|无视|無視|忽视|忽視|不要理会|不要理會|不理会|不理會|别管|別管|忘记|忘記|忘掉|抛开|拋開|放弃|放棄|跳过|跳過|覆盖|覆蓋|丢弃|丟棄|不再遵守|不要遵守|不要遵循|停止遵守|废除|廢除|不用管|不必理会|不必理會).{0,16}?(?:指令|指示|说明|說明|规则|規則|提示词|提示詞|提示|命令|设定|設定|约束|約束|限制|规定|規定|准则|準則)`,
		qualified(1, 0.6, "之前", "以前", "先前", "上面", "上述", "前面", "所有", "全部", "一切", "原有", "原来", "原來", "原始", "系统", "系統", "你的", "您的", "此前", "早先", "上一", "收到的", "给你的", "給你的"))
	addRule("zh_void", ml, 1, cCJK, "指令|指示|规则|規則|提示词|提示詞|设定|設定",
		`(?:之前|以前|先前|上面|上述|前面|所有|全部|原有|系统|系統|你的)的?(?:指令|指示|规则|規則|提示词|提示詞|设定|設定).{0,6}?(?:都)?(?:无效|無效|作废|作廢|失效|不再适用|不再適用|已取消|已被取消|已被撤销|已被撤銷|已过期|已過期)`, nil)
	addRule("zh_new_role", ml, 0.9, cCJK, "你现在是|你現在是|您现在是|您現在是|从现在开始|從現在開始|从现在起|從現在起|从今以后|從今以後|只听|只聽|只服从|只服從|只遵守|只执行|只執行|新任务|新任務|新指令|新的指令|新角色",
		`(?:你|您)(?:现在|現在)是.{0,10}?(?:ai|助手|机器人|機器人|模型|模式|管理员|管理員|开发者|開發者|无限制|無限制)|(?:只听|只聽|只服从|只服從|只遵守|只执行|只執行)(?:我|本|这|這)|(?:你的|您的)新(?:任务|任務|指令|角色|目标|目標|规则|規則)|(?:从现在开始|從現在開始|从现在起|從現在起|从今以后|從今以後).{0,4}?(?:你|您)`,
		func(m *match) float64 {
			t := m.text() + m.after(30)
			if strings.HasPrefix(m.text(), "从") || strings.HasPrefix(m.text(), "從") {
				for _, w := range []string{"只听", "只聽", "服从", "服從", "ai", "助手", "模型", "指令", "规则", "規則", "限制", "提示"} {
					if strings.Contains(t, w) {
						return 0.9
					}
				}
				return 0.4
			}
			return 0.9
		})
	addRule("zh_exfil", ml, 1, cCJK, "系统提示|系統提示|提示词|提示詞|系统指令|系統指令|密码|密碼|密钥|金鑰|令牌|凭证|憑證|所有客户|所有客戶|全部客户|全部客戶|其他客户|其他客戶|客户数据|客戶資料|客户资料|客户名单|客戶名單|客户信息|客戶信息|客戶資訊|联系方式|聯絡方式",
		`(?:透露|泄露|洩露|显示|顯示|告诉我|告訴我|输出|輸出|发送|發送|发给|發給|打印|提供|给我|給我|列出|展示|导出|導出|分享|转发|轉發|公开|公開|发到|發到|寄给|寄給|把).{0,14}?(?:系统提示|系統提示|提示词|提示詞|系统指令|系統指令|密码|密碼|api ?密钥|api ?金鑰|api ?key|密钥|金鑰|令牌|凭证|憑證|所有客户|所有客戶|全部客户|全部客戶|其他客户|其他客戶|客户数据|客戶資料|客户资料|客户名单|客戶名單|客户的联系方式|客戶的聯絡方式|客户信息|客戶信息|客戶資訊)|(?:全部客户|全部客戶|所有客户|所有客戶|其他客户|其他客戶)的?(?:联系方式|聯絡方式|数据|資料|资料|信息|資訊|邮箱|郵箱|电话|電話).{0,10}?(?:发送|發送|发到|發到|发给|發給|导出|導出|转发|轉發|告诉|告訴)`, nil)
	addRule("zh_addressed", ml, 0.8, cCJK, "如果你是|假如你是|若你是|如果您是|要是你是|致|给|給|写给|寫給|正在|ai助手|人工智能|语言模型|語言模型|大模型",
		`(?:如果你是|假如你是|若你是|如果您是|要是你是).{0,6}?(?:ai|人工智能|语言模型|語言模型|大模型|助手|机器人|機器人|智能体|智能體|llm|模型)|(?:致|给|給|写给|寫給|告知).{0,6}?(?:ai|人工智能|语言模型|語言模型|ai助手|智能助手|大模型|机器人|機器人)|(?:正在|目前正在)(?:阅读|閱讀|处理|處理|读取|讀取|分析|总结|總結).{0,8}?(?:ai|人工智能|助手|模型|语言模型|語言模型|机器人|機器人)|(?:ai|人工智能|语言模型|語言模型|大模型)(?:助手)?(?:请注意|請注意|注意)`, nil)
	addRule("zh_tool", ml, 0.8, cCJK, "所有|全部|一切|不要告诉|不要告訴|不要通知|不要让|不要讓|别告诉|別告訴",
		`(?:发送|發送|转发|轉發|导出|導出|删除|刪除|退款|退还|退還|取消|转账|轉帳|清空|清除|发给|發給).{0,10}?(?:所有|全部|一切).{0,6}?(?:客户|客戶|订单|訂單|数据|資料|记录|記錄|联系人|聯絡人|账户|帳戶|用户|用戶)|(?:所有|全部)(?:的)?(?:订单|訂單|客户|客戶|记录|記錄).{0,6}?(?:删除|刪除|取消|退款|导出|導出)|(?:不要|别|別|不得|无需|無需|不必)(?:告诉|告訴|通知|提醒|让|讓)(?:用户|用戶|客户|客戶|任何人)`, nil)

	// Japanese -------------------------------------------------------------
	addRule("ja_override", ml, 1, cCJK, "指示|命令|ルール|指令|プロンプト|設定|規則|制約|ガイドライン|制限",
		`(?:以前|前|上記|これまで|先ほど|先程|今まで|すべて|全て|元|既存|システム|あなたの|最初|当初|受け取った|与えられた)の?.{0,10}?(?:指示|命令|ルール|指令|プロンプト|設定|規則|制約|ガイドライン|制限).{0,12}?(?:無視|むし|忘れ|わすれ|破棄|従わ|したがわ|取り消|撤回|無効|従う必要は)|(?:指示|命令|ルール|指令|プロンプト|規則|制約).{0,8}?(?:無視|忘れ|破棄|従わないで|従う必要はありません)`,
		qualified(1, 0.6, "以前", "前の", "上記", "これまで", "先ほど", "先程", "今まで", "すべて", "全て", "元の", "既存", "システム", "あなたの", "最初", "当初", "受け取った", "与えられた"))
	addRule("ja_new_role", ml, 0.9, cCJK, "あなたは今から|今からあなたは|これからあなたは|あなたはこれから|今後あなたは|あなたはもう|新しいタスク|新しい任務|新しい役割|新しい指示|新しい命令",
		`(?:あなたは今から|今からあなたは|これからあなたは|あなたはこれから|今後あなたは|あなたはもう).{0,16}|あなたの新しい(?:タスク|任務|役割|指示|目的|仕事)|新しい(?:指示|命令|ルール)`,
		func(m *match) float64 {
			t := m.text() + m.after(30)
			if strings.Contains(t, "あなたの新しい") {
				return 0.8
			}
			for _, w := range []string{"ai", "アシスタント", "モード", "管理者", "制限", "ルール", "私の", "だけ", "従", "開発者"} {
				if strings.Contains(t, w) {
					return 0.9
				}
			}
			return 0.4
		})
	addRule("ja_exfil", ml, 1, cCJK, "システムプロンプト|システム プロンプト|パスワード|apiキー|api キー|アクセストークン|トークン|認証情報|秘密鍵|全顧客|すべての顧客|全ての顧客|他の顧客|顧客リスト|顧客データ|顧客情報|顧客のメール",
		`(?:システムプロンプト|システム プロンプト|パスワード|apiキー|api キー|アクセストークン|トークン|認証情報|秘密鍵|全顧客|すべての顧客|全ての顧客|他の顧客|顧客リスト|顧客データ|顧客情報|顧客のメールアドレス).{0,15}?(?:教えて|表示|出力|送信|送って|開示|見せて|共有|転送|書いて|漏ら|エクスポート|提供)`, nil)
	addRule("ja_addressed", ml, 0.8, cCJK, "あなたが|ai|人工知能|言語モデル|アシスタント|チャットボット|llm|エージェント",
		`(?:もし|もしも)?あなたが(?:ai|人工知能|言語モデル|アシスタント|ボット|チャットボット|llm|エージェント)(?:なら|であれば|の場合|だったら|ならば)|(?:ai|人工知能|言語モデル|aiアシスタント|ai アシスタント|アシスタント|チャットボット|llm|エージェント)(?:への|に向けた|宛ての|向けの)(?:指示|メモ|注意|メッセージ|お願い|命令)|(?:ai|人工知能|aiアシスタント|ai アシスタント|言語モデル|llm)(?:へ|さん|様|の皆さん|殿)|(?:このメール|このメッセージ|この文章|このメモ|これ|この記録)を(?:読んでいる|読む|処理している|処理する|要約している|要約する)(?:ai|人工知能|アシスタント|言語モデル|モデル|エージェント)`,
		func(m *match) float64 {
			t := m.text()
			if strings.HasPrefix(t, "アシスタント") || strings.HasPrefix(t, "エージェント") {
				return 0.5
			}
			return 0.8
		})
	addRule("ja_tool", ml, 0.8, cCJK, "すべての|全ての|全|全部の|知らせ|伝え|通知し|言わ|報告し",
		`(?:すべての|全ての|全|全部の)(?:顧客|注文|データ|レコード|連絡先|アカウント|ユーザー|請求書).{0,12}?(?:送信|送って|転送|削除|エクスポート|返金|キャンセル|消去)|(?:ユーザー|お客様|顧客|誰)に(?:も)?(?:知らせ|伝え|通知し|言わ|報告し)(?:ない|ず)`, nil)
}
