package email

import (
	"fmt"
	"time"
)

// Text pools of the sample data. Customers write in their CRM language when
// a pack exists for it (en, de, fr, es, ja, zh) and in English otherwise;
// the company's staff answer in English. Placeholders: {order}, {invoice},
// {date}, {year}, {first}.

// topic is one reason a customer writes.
type topic struct {
	kind    string // order, invoice, delivery, renewal, meeting, product
	subject string
	body    string
}

// outlookLabels are the header labels of an Outlook-style quoted message.
type outlookLabels struct{ sep, from, sent, to, subject string }

type langPack struct {
	code        string
	hello       func(first, full string) string
	topics      []topic
	followups   []string
	closings    []string
	mobile      string
	attribution func(t time.Time, name, email string) string
	outlook     outlookLabels
}

var weekdaysDE = []string{"So.", "Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa."}
var monthsDE = []string{"", "Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."}
var monthsFR = []string{"", "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}
var weekdaysES = []string{"dom", "lun", "mar", "mié", "jue", "vie", "sáb"}
var monthsES = []string{"", "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"}
var weekdaysJA = []string{"日", "月", "火", "水", "木", "金", "土"}
var weekdaysZH = []string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

var englishOutlook = outlookLabels{"-----Original Message-----", "From:", "Sent:", "To:", "Subject:"}

var packs = map[string]langPack{
	"en": {
		code:  "en",
		hello: func(first, _ string) string { return "Hi " + first + "," },
		topics: []topic{
			{"order", "Where is order {order}?", "Could you tell me where our order {order} is? We need the goods for a customer installation next week and I have not seen a shipping notice yet."},
			{"invoice", "Invoice {invoice} - freight charged twice", "We received invoice {invoice} and the freight charge appears twice. Could you check and send us a corrected invoice? Our accounts payable team has put the payment on hold until then."},
			{"renewal", "Renewal quote for {year}", "Our contract renews at the end of the quarter. Could you send us a renewal quote for {year}, ideally with the same pricing? We would also like to understand what premium support would add."},
			{"delivery", "Moving our next delivery", "Is it possible to move our next delivery to the week of {date}? Our warehouse is closed for the annual inventory count that week."},
			{"meeting", "Call next week about the open items?", "Would you have time for a short call next week to go through the open items from our last review? Tuesday or Thursday morning would work best for us."},
			{"product", "Question about shipment webhooks", "Does your API support webhooks for shipment events? Our IT team wants to push tracking updates into our ERP instead of polling every hour."},
		},
		followups: []string{
			"Thanks, that helps. Could you also confirm that the delivery address on file is still Building C?",
			"Great, thank you for the quick answer!",
			"Perfect, we will wait for the update then.",
			"Thanks. One more question: can we get the invoices split by cost center from next month?",
		},
		closings:    []string{"Best regards,", "Kind regards,", "Thanks,", "Cheers,", "Best,"},
		mobile:      "Sent from my iPhone",
		attribution: attributionEN,
		outlook:     englishOutlook,
	},
	"de": {
		code:  "de",
		hello: func(_, full string) string { return "Guten Tag " + full + "," },
		topics: []topic{
			{"order", "Lieferstatus Bestellung {order}", "können Sie mir bitte mitteilen, wo sich unsere Bestellung {order} gerade befindet? Wir benötigen die Ware dringend für eine Montage nächste Woche und haben noch keine Versandbestätigung erhalten."},
			{"invoice", "Rechnung {invoice} – Frachtkosten doppelt berechnet", "auf der Rechnung {invoice} sind die Frachtkosten zweimal aufgeführt. Bitte prüfen Sie das und senden Sie uns eine korrigierte Rechnung; die Zahlung ist bis dahin angehalten."},
			{"delivery", "Verschiebung der nächsten Lieferung", "wäre es möglich, unsere nächste Lieferung auf die Woche vom {date} zu verschieben? Unser Lager ist in dieser Woche wegen der Inventur geschlossen."},
		},
		followups: []string{
			"vielen Dank für die schnelle Rückmeldung!",
			"danke, das hilft uns weiter. Können Sie bitte noch bestätigen, dass die Lieferadresse unverändert ist?",
		},
		closings: []string{"Mit freundlichen Grüßen", "Viele Grüße", "Beste Grüße"},
		mobile:   "Von meinem iPhone gesendet",
		attribution: func(t time.Time, name, email string) string {
			return fmt.Sprintf("Am %s, %d. %s %d um %s schrieb %s <%s>:", weekdaysDE[t.Weekday()], t.Day(), monthsDE[t.Month()], t.Year(), t.Format("15:04"), name, email)
		},
		outlook: outlookLabels{"-----Ursprüngliche Nachricht-----", "Von:", "Gesendet:", "An:", "Betreff:"},
	},
	"fr": {
		code:  "fr",
		hello: func(first, _ string) string { return "Bonjour " + first + "," },
		topics: []topic{
			{"order", "Suivi de la commande {order}", "pourriez-vous me dire où en est notre commande {order} ? Nous avons besoin de la marchandise pour une installation la semaine prochaine et nous n'avons pas encore reçu d'avis d'expédition."},
			{"invoice", "Facture {invoice} : frais de port facturés deux fois", "sur la facture {invoice}, les frais de port apparaissent deux fois. Pourriez-vous vérifier et nous envoyer une facture corrigée ? Le paiement est suspendu d'ici là."},
			{"delivery", "Report de la prochaine livraison", "serait-il possible de décaler notre prochaine livraison à la semaine du {date} ? Notre entrepôt sera fermé pour inventaire."},
		},
		followups: []string{
			"merci beaucoup pour votre réponse rapide !",
			"merci, c'est noté. Pouvez-vous également confirmer que l'adresse de livraison est toujours la même ?",
		},
		closings: []string{"Cordialement,", "Bien cordialement,", "Bien à vous,"},
		mobile:   "Envoyé de mon iPhone",
		attribution: func(t time.Time, name, email string) string {
			return fmt.Sprintf("Le %d %s %d à %s, %s <%s> a écrit :", t.Day(), monthsFR[t.Month()], t.Year(), t.Format("15:04"), name, email)
		},
		outlook: outlookLabels{"-----Message d'origine-----", "De :", "Envoyé :", "À :", "Objet :"},
	},
	"es": {
		code:  "es",
		hello: func(first, _ string) string { return "Hola " + first + ":" },
		topics: []topic{
			{"order", "Estado del pedido {order}", "¿podría indicarme dónde se encuentra nuestro pedido {order}? Necesitamos la mercancía para una instalación la próxima semana y todavía no hemos recibido ningún aviso de envío."},
			{"invoice", "Factura {invoice}: gastos de envío duplicados", "en la factura {invoice} los gastos de envío aparecen dos veces. ¿Podrían revisarlo y enviarnos una factura corregida? Hemos detenido el pago hasta entonces."},
			{"delivery", "Cambio de fecha de la próxima entrega", "¿sería posible aplazar nuestra próxima entrega a la semana del {date}? Nuestro almacén estará cerrado por inventario."},
		},
		followups: []string{
			"¡muchas gracias por la respuesta tan rápida!",
			"gracias, eso nos ayuda. ¿Podrían confirmar también que la dirección de entrega sigue siendo la misma?",
		},
		closings: []string{"Saludos cordiales,", "Un saludo,", "Atentamente,"},
		mobile:   "Enviado desde mi iPhone",
		attribution: func(t time.Time, name, email string) string {
			return fmt.Sprintf("El %s, %d %s %d a las %s, %s (<%s>) escribió:", weekdaysES[t.Weekday()], t.Day(), monthsES[t.Month()], t.Year(), t.Format("15:04"), name, email)
		},
		outlook: outlookLabels{"-----Mensaje original-----", "De:", "Enviado el:", "Para:", "Asunto:"},
	},
	"ja": {
		code: "ja",
		hello: func(_, full string) string {
			return "BizMCP Trading\n" + full + "様\n\nいつもお世話になっております。"
		},
		topics: []topic{
			{"order", "注文{order}の配送状況について", "注文番号{order}の現在の配送状況を教えていただけますでしょうか。来週の設置作業に必要なため、至急確認したく存じます。"},
			{"invoice", "請求書{invoice}について", "請求書{invoice}で送料が二重に計上されているようです。ご確認のうえ、訂正した請求書をお送りいただけますでしょうか。"},
			{"delivery", "次回納品日の変更のお願い", "棚卸しのため倉庫が休業となりますので、次回の納品を{date}の週に変更していただくことは可能でしょうか。"},
		},
		followups: []string{
			"早速のご回答ありがとうございます。",
			"ありがとうございます。念のため、納品先住所に変更がないこともご確認いただけますでしょうか。",
		},
		closings: []string{"よろしくお願いいたします。"},
		mobile:   "iPhoneから送信",
		attribution: func(t time.Time, name, email string) string {
			return fmt.Sprintf("%d年%d月%d日(%s) %s %s <%s>:", t.Year(), t.Month(), t.Day(), weekdaysJA[t.Weekday()], t.Format("15:04"), name, email)
		},
		outlook: outlookLabels{"-----Original Message-----", "差出人:", "送信日時:", "宛先:", "件名:"},
	},
	"zh": {
		code:  "zh",
		hello: func(_, _ string) string { return "您好，" },
		topics: []topic{
			{"order", "关于订单{order}的物流状态", "请问我们的订单{order}目前到哪里了？我们下周安装需要用到这批货物，比较着急，目前还没有收到发货通知。"},
			{"invoice", "发票{invoice}运费重复", "发票{invoice}上的运费好像计算了两次，麻烦核实一下并重新开具正确的发票。在此之前我们暂停付款。"},
			{"delivery", "下次交货时间调整", "由于仓库盘点，请问能否将下一次交货推迟到{date}那一周？"},
		},
		followups: []string{
			"非常感谢您的快速回复！",
			"谢谢，这对我们很有帮助。能否再确认一下收货地址没有变化？",
		},
		closings: []string{"谢谢！\n祝好", "此致\n敬礼"},
		mobile:   "发自我的iPhone",
		attribution: func(t time.Time, name, email string) string {
			return fmt.Sprintf("%s <%s> 于%d年%d月%d日%s %s写道：", name, email, t.Year(), t.Month(), t.Day(), weekdaysZH[t.Weekday()], t.Format("15:04"))
		},
		outlook: outlookLabels{"-----原始邮件-----", "发件人:", "发送时间:", "收件人:", "主题:"},
	},
}

func attributionEN(t time.Time, name, email string) string {
	return fmt.Sprintf("On %s, %s <%s> wrote:", t.Format("Mon, Jan 2, 2006 at 3:04 PM"), name, email)
}

// Staff answers, in English, by topic kind.
var staffAnswers = map[string]string{
	"order":    "thanks for checking in. Order {order} shipped with {carrier} on {shipped}; the tracking number is {tracking} and the current delivery estimate is {eta}. I will keep an eye on it and let you know if anything changes.",
	"order?":   "thanks for checking in. Order {order} has left our warehouse and the carrier will send a tracking notice within the day. I will forward it to you as soon as I have it.",
	"invoice":  "I have looked into invoice {invoice}. You are right: the freight line was charged twice. Our billing team issued credit note CN-{n} for the difference; it will appear on your next statement and you can release the payment for the remaining amount.",
	"renewal":  "attached is the renewal quote for {year}. It keeps your current pricing for twelve months and adds premium support at no extra charge. The quote is valid until {date}; let me know if you would like to go through it on a call.",
	"delivery": "no problem: we have moved your next delivery to the week of {date}. The warehouse has been informed and you will get the usual shipping notice the day before.",
	"meeting":  "Thursday at 10:00 works for us. I will send a calendar invitation with a video link and the list of open items from the last review.",
	"product":  "yes, our API sends webhooks for shipment events (label created, in transit, out for delivery, delivered, exception). The events are signed and retried for 24 hours. I can set up a call with our solutions engineer to walk your IT team through it.",
}

var staffFollowups = []string{
	"thanks for confirming. I have noted it on your account and passed it on to the team.",
	"you are welcome! Do not hesitate to reach out if anything else comes up.",
	"yes, the delivery address on file is unchanged (Building C). I have also added a note for the carrier.",
	"good question: yes, from next month we can split the invoices by cost center. I have asked billing to set it up.",
}

var staffTitles = map[string]string{
	"Dana Whitfield": "Senior Account Executive, North America", "Marcus Lee": "Account Executive, North America",
	"Jordan Alvarez": "Account Executive, North America", "Lukas Brenner": "Key Account Manager, DACH",
	"Sofia Rossi": "Account Manager, Southern Europe", "Amira Haddad": "Account Director, EMEA",
	"Olivier Blanc": "Account Manager, France & Benelux", "Kenji Watanabe": "Account Manager, Japan",
	"Mei Lin": "Account Director, APAC", "Rahul Desai": "Account Manager, India & ASEAN",
	"Carlos Mendoza": "Account Executive, LATAM", "Beatriz Souza": "Account Manager, Brazil",
}

const confidentiality = "CONFIDENTIALITY NOTICE: This e-mail and any attachments are intended only for the named recipient(s) and may contain confidential or privileged information. If you are not the intended recipient, please notify the sender immediately and delete this message. Any unauthorised review, use or distribution is prohibited."

// Long thread (LongThreadID): each entry is one message's own text, in
// order; even entries are the customer's, odd ones the account manager's.
var longThreadTexts = []string{
	"Hi Mei,\n\nas discussed in the steering meeting, here is our list of open items for the rollout at the Pune and Bangalore sites:\n\n1. EDI mapping for advance shipping notices (ASN)\n2. SSO for contractor accounts\n3. Label printers at the Pune warehouse (Zebra ZT411)\n4. Training schedule for 40 dispatchers\n5. Data migration from the legacy Access database\n\nCan you confirm owners and dates on your side?",
	"Hi Rohan,\n\nthanks for the list. Owners on our side: EDI mapping is with Priya from solutions engineering, SSO with our identity team, label printers with the Pune implementation partner. Training and migration stay with me. I will come back with dates after our planning call on Thursday.",
	"Hi Mei,\n\nquick update from our side: our IT security team needs the SSO design document before they can approve the contractor accounts. Also, the Pune warehouse asked whether the label printers can be delivered before the 15th, because the site lead is on leave afterwards.",
	"Hi Rohan,\n\nthe SSO design document is attached to the project space (version 1.3). For the printers: the partner confirmed delivery on the 12th, installation on the 13th. Dates for the rest: EDI mapping test on the 18th, training in two waves (20th and 27th), migration dry run on the 24th.",
	"Hi Mei,\n\nthe dates work for us. One concern about the migration dry run: the Access database has about 12,000 customer records with inconsistent country codes. Do you have a cleansing script, or should our team fix the data first?",
	"Hi Rohan,\n\nwe have a cleansing script that maps free-text countries to ISO 3166 codes; it handled a similar case for another customer. I suggest we run it in the dry run and review the exceptions report together afterwards. Expect around 3-5 percent of records to need manual review.",
	"Hi Mei,\n\ngood, let's do that. Security approved the SSO design with one change: contractor sessions must expire after 8 hours instead of 12. Can your identity team adjust the policy before the training starts?",
	"Hi Rohan,\n\nthe identity team changed the session policy to 8 hours for the contractor group; it is live in the staging tenant now and will go to production with the go-live. Printers are installed in Pune and test labels printed fine.",
	"Hi Mei,\n\nthe EDI mapping test failed on our side: the ASN messages are rejected because the carton IDs (SSCC) have 17 digits instead of 18. It looks like the check digit is missing. Can Priya have a look?",
	"Hi Rohan,\n\nPriya found it: the mapping dropped the check digit when the carton ID started with a zero. A fix is deployed to the test environment; could your team resend the test messages tomorrow morning?",
	"Hi Mei,\n\nresent this morning and all 214 test ASNs were accepted. The first training wave went well; the dispatchers asked for a one-page cheat sheet for the exception workflow. Could you provide one in English and Hindi?",
	"Hi Rohan,\n\ngreat news about the ASNs. The cheat sheet is in the project space in English; the Hindi translation will be ready by Friday. For the second wave I have added a 30 minute session on exceptions.",
	"Hi Mei,\n\nthe migration dry run finished: 11,480 records migrated, 520 in the exceptions report, mostly duplicate customers with different spellings. Our data team will merge the duplicates this week. Is the go-live date of the 3rd still realistic?",
	"Hi Rohan,\n\nyes, the 3rd is realistic if the duplicates are merged by the 28th. I propose a go/no-go call on the 1st at 10:00 IST with both project teams. I will also ask our support team to staff the hypercare hotline for the first two weeks.",
	"Hi Mei,\n\nduplicates are merged and the final migration rehearsal passed with zero exceptions. Go/no-go call on the 1st works. One last item: our finance team wants the hypercare period reflected on the invoice as a separate line.",
	"Hi Rohan,\n\nI have asked billing to show hypercare as a separate, zero-priced line on the next invoice. Invitation for the go/no-go call is out. Thanks to you and the team for the great collaboration so far.",
	"Hi Mei,\n\nwe are live in Pune and Bangalore since this morning. The first 80 orders went through without issues and the dispatchers are happy with the new workflow. Let's schedule a short retrospective in two weeks.",
}

// Hand-written staff messages that open the language-sample threads.
var languageOpeners = map[string]string{
	"de": "Guten Tag {full},\n\nanbei wie besprochen das Angebot für die Wartungsverlängerung {year}. Die Preise bleiben für zwölf Monate unverändert; neu ist der Premium-Support ohne Aufpreis.\n\nBitte geben Sie mir Bescheid, ob wir das Angebot so umsetzen können.",
	"fr": "Bonjour {first},\n\nvotre commande {order} a été expédiée hier. Vous recevrez le numéro de suivi du transporteur dans la journée.\n\nN'hésitez pas à me contacter pour toute question.",
	"es": "Hola {first},\n\ncomo acordamos, le envío la propuesta de renovación para {year}. Mantenemos los precios actuales durante doce meses e incluimos el soporte premium sin coste adicional.\n\nQuedo a la espera de sus comentarios.",
	"ja": "{family}様\n\nいつもお世話になっております。BizMCP TradingのRahul Desaiです。\n\n来年度の保守契約の更新見積もりを添付いたします。価格は12か月間据え置きとなります。\n\nご確認のほど、よろしくお願いいたします。",
	"zh": "{full}您好，\n\n附件是{year}年度的续约报价。价格在未来十二个月保持不变，并免费提供高级技术支持。\n\n如有任何问题，请随时与我联系。",
}

// Customer answers of the language-sample threads.
var languageReplies = map[string]string{
	"de": "Guten Tag Frau Rossi,\n\nvielen Dank für das Angebot. Wir sind grundsätzlich einverstanden, benötigen aber eine Bestellnummer aus unserem Einkaufssystem. Die sende ich Ihnen bis Freitag.\n\nKönnen Sie die Rechnung bitte an unsere Buchhaltung (rechnung@hansa-software.example) adressieren?",
	"fr": "Bonjour Jordan,\n\nmerci pour l'information. Le transporteur nous a contactés ce matin, la livraison est prévue jeudi. Pourriez-vous nous envoyer le bon de livraison en PDF pour notre service comptable ?",
	"es": "Hola Carlos:\n\nmuchas gracias por la propuesta. La hemos revisado con el equipo de compras y estamos de acuerdo con las condiciones. ¿Podrían enviarnos el contrato para firma electrónica?\n\nTambién necesitamos que la factura incluya nuestro número de pedido interno.",
	"ja": "Rahul Desai様\n\nいつもお世話になっております。株式会社富士電機の鈴木です。\n\nお見積もりをお送りいただきありがとうございます。社内で確認いたしましたので、この内容で発注させていただきます。\n\n注文書は来週お送りいたします。",
	"zh": "Mei Lin您好，\n\n感谢您发来的报价。我们已经和采购部门确认，同意续约条款。请将合同发给我们进行电子签署。\n\n另外，发票上请注明我们的内部订单号。",
}
