package crm

// Static pools the deterministic sample generator draws from. Names,
// companies and places are fictional; domains use the reserved .example TLD.

// np is a native spelling and its Latin slug ("" = fold the native spelling).
type np struct{ n, l string }

type culture struct {
	lang   string
	people []np     // full names; when empty, compose given + family
	given  []string // Latin-script given names
	family []string
	coPre  []np
	coCore []np
	coFmt  []string // fmt with two %s: prefix, core
	notes  []string // local-language note bodies
}

type place struct {
	city, state, country string
	region               string // na, emea, apac, latam
	postal               string // pattern: # digit, A letter
	phone                string // pattern
	currency, tz         string
	cultures             []string
	streets              []string // fmt with one %d
}

var cultures = map[string]culture{
	"en": {
		lang:   "en-US",
		given:  []string{"James", "Olivia", "Michael", "Emma", "Daniel", "Sophia", "Ethan", "Ava", "Noah", "Grace", "Liam", "Chloe", "Marcus", "Hannah", "Tyler", "Megan", "Aaliyah", "DeShawn", "Siobhan", "Connor"},
		family: []string{"Smith", "Johnson", "Williams", "Brown", "Garcia", "Miller", "Davis", "Thompson", "O'Brien", "Nguyen", "Patel", "Kowalski", "Anderson", "Clarke", "Murphy", "Okafor", "Walsh", "Bennett", "Hughes", "Foster"},
		coPre:  []np{{"Northwind", ""}, {"Blue Harbor", ""}, {"Summit Peak", ""}, {"Ironclad", ""}, {"Brightline", ""}, {"Redwood", ""}, {"Silverline", ""}, {"Cobalt", ""}, {"Evergreen", ""}, {"Pioneer", ""}, {"Granite", ""}, {"Lakeshore", ""}, {"Keystone", ""}, {"Meridian", ""}},
		coCore: []np{{"Logistics", ""}, {"Analytics", ""}, {"Foods", ""}, {"Robotics", ""}, {"Health", ""}, {"Outfitters", ""}, {"Systems", ""}, {"Supply", ""}, {"Labs", ""}, {"Manufacturing", ""}, {"Retail", ""}, {"Energy", ""}},
		coFmt:  []string{"%s %s Inc.", "%s %s LLC", "%s %s Corp.", "%s %s Group", "%s %s Co."},
	},
	"uk": {
		lang:   "en-GB",
		given:  []string{"Oliver", "Amelia", "Harry", "Isla", "George", "Poppy", "Arthur", "Freya", "Rhys", "Niamh", "Callum", "Imogen"},
		family: []string{"Taylor", "Evans", "Roberts", "Wright", "Walker", "Edwards", "Hughes", "Green", "Hall", "Wood", "Khan", "Ahmed"},
		coPre:  []np{{"Thames", ""}, {"Pennine", ""}, {"Harbourside", ""}, {"Kingsgate", ""}, {"Albion", ""}, {"Westbury", ""}},
		coCore: []np{{"Logistics", ""}, {"Consulting", ""}, {"Engineering", ""}, {"Foods", ""}, {"Software", ""}, {"Trading", ""}},
		coFmt:  []string{"%s %s Ltd", "%s %s plc", "%s %s Ltd"},
	},
	"de": {
		lang:   "de-DE",
		given:  []string{"Lukas", "Anna", "Jonas", "Lea", "Felix", "Marie", "Maximilian", "Sophie", "Jürgen", "Sabine", "Björn", "Käthe"},
		family: []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Schäfer", "Koch", "Groß"},
		coPre:  []np{{"Nordlicht", ""}, {"Alpen", ""}, {"Rheinland", ""}, {"Schwarzwald", ""}, {"Elbe", ""}, {"Bergmann", ""}, {"Hansa", ""}},
		coCore: []np{{"Maschinenbau", ""}, {"Logistik", ""}, {"Feinkost", ""}, {"Software", ""}, {"Medizintechnik", ""}, {"Handel", ""}},
		coFmt:  []string{"%s %s GmbH", "%s %s AG", "%s %s GmbH & Co. KG"},
		notes:  []string{"Rückruf für nächste Woche vereinbart; Ansprechpartner ist bis zum 15. im Urlaub.", "Rahmenvertrag verlängert. Kunde wünscht Rechnungen künftig auf Deutsch.", "Lieferung verspätet wegen Streik im Hamburger Hafen – Kunde informiert."},
	},
	"fr": {
		lang:   "fr-FR",
		given:  []string{"Camille", "Louis", "Léa", "Hugo", "Chloé", "Théo", "Manon", "Julien", "Élodie", "François"},
		family: []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Lefèvre", "Moreau", "Girard", "Rousseau"},
		coPre:  []np{{"Lumière", ""}, {"Atelier", ""}, {"Provence", ""}, {"Horizon", ""}, {"Boréal", ""}, {"Cèdre", ""}},
		coCore: []np{{"Logistique", ""}, {"Conseil", ""}, {"Cosmétiques", ""}, {"Informatique", ""}, {"Distribution", ""}},
		coFmt:  []string{"%s %s SAS", "%s %s SA", "%s %s SARL"},
		notes:  []string{"Le client souhaite une démo de la nouvelle fonctionnalité d'export.", "Relance de facture envoyée ; paiement prévu fin du mois.", "Changement d'interlocuteur : la nouvelle acheteuse prend ses fonctions en septembre."},
	},
	"es": {
		lang:   "es-ES",
		given:  []string{"Sofía", "Mateo", "Valentina", "Santiago", "Lucía", "Diego", "Camila", "Alejandro", "Isabella", "Javier", "Martina", "Andrés"},
		family: []string{"García", "Rodríguez", "Martínez", "López", "González", "Hernández", "Pérez", "Sánchez", "Ramírez", "Torres", "Flores", "Núñez"},
		coPre:  []np{{"Sol", ""}, {"Andes", ""}, {"Costa", ""}, {"Iberia", ""}, {"Aurora", ""}, {"Río", ""}, {"Pacífico", ""}},
		coCore: []np{{"Logística", ""}, {"Alimentos", ""}, {"Tecnología", ""}, {"Distribuciones", ""}, {"Consultores", ""}},
		coFmt:  []string{"%s %s S.A.", "%s %s S.L.", "%s %s S.A. de C.V.", "%s %s S.R.L."},
		notes:  []string{"El cliente solicita la factura con el CFDI actualizado.", "Reunión muy positiva, quieren ampliar a tres sucursales 🎉", "Pidieron cambiar la fecha de entrega al lunes por inventario."},
	},
	"pt": {
		lang:   "pt-BR",
		given:  []string{"João", "Ana", "Pedro", "Beatriz", "Lucas", "Mariana", "Gabriel", "Juliana", "Rafael", "Larissa", "Thiago", "Fernanda"},
		family: []string{"Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Costa", "Carvalho", "Almeida", "Ribeiro", "Gonçalves", "Araújo"},
		coPre:  []np{{"Atlântico", ""}, {"Ipê", ""}, {"Cerrado", ""}, {"Horizonte", ""}, {"Jacarandá", ""}, {"Tropical", ""}},
		coCore: []np{{"Logística", ""}, {"Alimentos", ""}, {"Tecnologia", ""}, {"Comércio", ""}, {"Serviços", ""}},
		coFmt:  []string{"%s %s Ltda.", "%s %s S.A."},
		notes:  []string{"Cliente pediu boleto com vencimento para o dia 10.", "Atraso na entrega por greve dos caminhoneiros; cliente ciente.", "Reunião de renovação marcada para a próxima quinta 👍"},
	},
	"it": {
		lang:   "it-IT",
		given:  []string{"Giulia", "Marco", "Francesca", "Alessandro", "Chiara", "Lorenzo", "Federica", "Matteo"},
		family: []string{"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci"},
		coPre:  []np{{"Dolomiti", ""}, {"Laguna", ""}, {"Vesuvio", ""}, {"Brera", ""}, {"Tirreno", ""}},
		coCore: []np{{"Meccanica", ""}, {"Alimentari", ""}, {"Informatica", ""}, {"Moda", ""}},
		coFmt:  []string{"%s %s S.p.A.", "%s %s S.r.l."},
		notes:  []string{"Il cliente chiede uno sconto per il rinnovo triennale.", "Consegna confermata per martedì; serve il DDT firmato."},
	},
	"sv": {
		lang:   "sv-SE",
		given:  []string{"Erik", "Astrid", "Lars", "Ingrid", "Johan", "Sara", "Nils", "Maja"},
		family: []string{"Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Lindqvist", "Öberg"},
		coPre:  []np{{"Nordvik", ""}, {"Fjäll", ""}, {"Skärgård", ""}, {"Polar", ""}},
		coCore: []np{{"Logistik", ""}, {"Teknik", ""}, {"Livsmedel", ""}, {"Design", ""}},
		coFmt:  []string{"%s %s AB"},
		notes:  []string{"Kunden vill ha faktura via Peppol framöver.", "Bra möte, de överväger att uppgradera till Enterprise."},
	},
	"pl": {
		lang:   "pl-PL",
		people: []np{{"Katarzyna Nowak", ""}, {"Piotr Wiśniewski", ""}, {"Agnieszka Wójcik", ""}, {"Tomasz Kowalczyk", ""}, {"Małgorzata Kamińska", ""}, {"Paweł Lewandowski", ""}, {"Zofia Zielińska", ""}, {"Łukasz Szymański", ""}},
		coPre:  []np{{"Wisła", ""}, {"Tatry", ""}, {"Bałtyk", ""}, {"Mazowsze", ""}},
		coCore: []np{{"Logistyka", ""}, {"Technologie", ""}, {"Dystrybucja", ""}, {"Meble", ""}},
		coFmt:  []string{"%s %s Sp. z o.o.", "%s %s S.A."},
		notes:  []string{"Klient prosi o fakturę korygującą za marzec.", "Spotkanie przesunięte na przyszły tydzień."},
	},
	"tr": {
		lang:   "tr-TR",
		people: []np{{"Mehmet Yılmaz", ""}, {"Ayşe Kaya", ""}, {"Mustafa Demir", ""}, {"Zeynep Şahin", ""}, {"Emre Çelik", ""}, {"Elif Yıldız", ""}, {"Burak Aydın", ""}, {"Selin Öztürk", ""}},
		coPre:  []np{{"Boğaziçi", ""}, {"Anadolu", ""}, {"Ege", ""}, {"Marmara", ""}},
		coCore: []np{{"Lojistik", ""}, {"Teknoloji", ""}, {"Gıda", ""}, {"Tekstil", ""}},
		coFmt:  []string{"%s %s A.Ş."},
		notes:  []string{"Müşteri yeni depo adresine teslimat istiyor.", "Fiyat teklifi onaylandı, sipariş bekleniyor."},
	},
	"ru": {
		lang: "ru-RU",
		people: []np{{"Анна Смирнова", "anna.smirnova"}, {"Дмитрий Иванов", "dmitry.ivanov"}, {"Елена Кузнецова", "elena.kuznetsova"}, {"Сергей Попов", "sergey.popov"},
			{"Ольга Соколова", "olga.sokolova"}, {"Алексей Лебедев", "alexey.lebedev"}, {"Наталья Козлова", "natalya.kozlova"}, {"Иван Новиков", "ivan.novikov"},
			{"Мария Морозова", "maria.morozova"}, {"Михаил Волков", "mikhail.volkov"}, {"Татьяна Павлова", "tatyana.pavlova"}, {"Андрей Фёдоров", "andrey.fedorov"}},
		coPre:  []np{{"Северный", "severny"}, {"Восток", "vostok"}, {"Альфа", "alfa"}, {"Балтика", "baltika"}, {"Сибирь", "sibir"}, {"Волга", "volga"}},
		coCore: []np{{"Логистик", "logistic"}, {"Торг", "torg"}, {"Софт", "soft"}, {"Пром", "prom"}, {"Снаб", "snab"}},
		coFmt:  []string{"ООО «%s %s»", "АО «%s%s»"},
		notes:  []string{"Клиент просит перенести поставку на следующую неделю.", "Согласовали скидку 5% при предоплате.", "Нужен акт сверки за второй квартал."},
	},
	"ar": {
		lang: "ar-AE",
		people: []np{{"محمد العتيبي", "mohammed.alotaibi"}, {"فاطمة الزهراني", "fatima.alzahrani"}, {"أحمد حسن", "ahmed.hassan"}, {"نور الهاشمي", "nour.alhashimi"},
			{"خالد المنصوري", "khalid.almansouri"}, {"ليلى عبد الله", "layla.abdullah"}, {"يوسف الشمري", "youssef.alshammari"}, {"سارة القحطاني", "sara.alqahtani"},
			{"عمر فاروق", "omar.farouk"}, {"مريم السيد", "mariam.elsayed"}},
		coPre:  []np{{"الخليج", "alkhaleej"}, {"النخبة", "alnukhba"}, {"الصحراء", "alsahraa"}, {"الواحة", "alwaha"}, {"المستقبل", "almustaqbal"}, {"النور", "alnoor"}},
		coCore: []np{{"للتجارة", "trading"}, {"للتقنية", "tech"}, {"للخدمات اللوجستية", "logistics"}, {"للأغذية", "foods"}, {"للاستشارات", "consulting"}},
		coFmt:  []string{"شركة %s %s"},
		notes:  []string{"العميل يطلب نسخة عربية من العقد.", "تم الاتفاق على تمديد فترة الدفع إلى ٦٠ يوماً.", "الاجتماع القادم بعد عطلة العيد."},
	},
	"zh": {
		lang: "zh-CN",
		people: []np{{"王伟", "wei.wang"}, {"李娜", "na.li"}, {"张敏", "min.zhang"}, {"刘洋", "yang.liu"}, {"陈静", "jing.chen"}, {"杨磊", "lei.yang"},
			{"赵丽", "li.zhao"}, {"黄强", "qiang.huang"}, {"周杰", "jie.zhou"}, {"吴芳", "fang.wu"}, {"徐明", "ming.xu"}, {"孙悦", "yue.sun"}},
		coPre:  []np{{"云海", "yunhai"}, {"华星", "huaxing"}, {"金桥", "jinqiao"}, {"天合", "tianhe"}, {"长江", "changjiang"}, {"东方", "dongfang"}, {"锦程", "jincheng"}},
		coCore: []np{{"科技", "tech"}, {"物流", "logistics"}, {"贸易", "trading"}, {"食品", "foods"}, {"电子", "electronics"}, {"医疗", "medical"}},
		coFmt:  []string{"%s%s有限公司", "%s%s股份有限公司"},
		notes:  []string{"客户要求下季度开具增值税专用发票。", "续约会议顺利，客户考虑升级到企业版 🎉", "春节期间仓库停运，请提前安排发货。"},
	},
	"ja": {
		lang: "ja-JP",
		people: []np{{"佐藤 健", "ken.sato"}, {"鈴木 花子", "hanako.suzuki"}, {"高橋 翔", "sho.takahashi"}, {"田中 美咲", "misaki.tanaka"}, {"伊藤 大輔", "daisuke.ito"},
			{"渡辺 さくら", "sakura.watanabe"}, {"山本 拓海", "takumi.yamamoto"}, {"中村 優子", "yuko.nakamura"}, {"小林 蓮", "ren.kobayashi"}, {"加藤 葵", "aoi.kato"}},
		coPre:  []np{{"さくら", "sakura"}, {"富士", "fuji"}, {"青空", "aozora"}, {"みなと", "minato"}, {"大和", "yamato"}, {"光陽", "koyo"}},
		coCore: []np{{"物流", "logistics"}, {"テック", "tech"}, {"商事", "shoji"}, {"食品", "foods"}, {"精機", "seiki"}, {"電機", "denki"}},
		coFmt:  []string{"株式会社%s%s", "%s%s株式会社"},
		notes:  []string{"来月の定例会で価格改定について説明予定。", "請求書の宛名を新しい部署名に変更してほしいとのこと。", "納期について再確認の依頼あり🙏"},
	},
	"ko": {
		lang:   "ko-KR",
		people: []np{{"김민준", "minjun.kim"}, {"이서연", "seoyeon.lee"}, {"박지훈", "jihoon.park"}, {"최수아", "sua.choi"}, {"정우진", "woojin.jung"}, {"강하은", "haeun.kang"}, {"조현우", "hyunwoo.cho"}, {"윤지아", "jia.yoon"}},
		coPre:  []np{{"한빛", "hanbit"}, {"미래", "mirae"}, {"세종", "sejong"}, {"푸른", "pureun"}},
		coCore: []np{{"테크", "tech"}, {"물류", "logistics"}, {"식품", "foods"}, {"전자", "electronics"}},
		coFmt:  []string{"(주)%s%s", "%s%s 주식회사"},
		notes:  []string{"다음 분기 계약 갱신 논의 예정.", "담당자 변경: 새로운 구매 담당자와 미팅 완료."},
	},
	"in": {
		lang:   "en-IN",
		people: []np{{"Priya Sharma", ""}, {"Arjun Mehta", ""}, {"Ananya Iyer", ""}, {"Rohan Gupta", ""}, {"Kavya Reddy", ""}, {"Vikram Singh", ""}, {"Sneha Nair", ""}, {"Aditya Rao", ""}, {"राहुल वर्मा", "rahul.verma"}, {"दीपिका जोशी", "deepika.joshi"}},
		coPre:  []np{{"Lotus", ""}, {"Ganga", ""}, {"Indus", ""}, {"Saffron", ""}, {"Himalaya", ""}, {"Kaveri", ""}},
		coCore: []np{{"Infotech", ""}, {"Logistics", ""}, {"Pharma", ""}, {"Textiles", ""}, {"Foods", ""}},
		coFmt:  []string{"%s %s Pvt. Ltd.", "%s %s Ltd."},
		notes:  []string{"Customer requested GST-compliant invoices from next month.", "ग्राहक अगले सप्ताह डेमो चाहता है।"},
	},
	"vi": {
		lang:   "vi-VN",
		people: []np{{"Nguyễn Văn An", "an.nguyen"}, {"Trần Thị Bích", "bich.tran"}, {"Lê Minh Tuấn", "tuan.le"}, {"Phạm Thu Hà", "ha.pham"}, {"Hoàng Đức Anh", "anh.hoang"}, {"Vũ Ngọc Lan", "lan.vu"}},
		coPre:  []np{{"Sao Mai", "saomai"}, {"Hồng Hà", "hongha"}, {"Phương Đông", "phuongdong"}, {"Bình Minh", "binhminh"}},
		coCore: []np{{"Logistics", "logistics"}, {"Công nghệ", "tech"}, {"Thực phẩm", "foods"}},
		coFmt:  []string{"Công ty TNHH %s %s", "Công ty Cổ phần %s %s"},
		notes:  []string{"Khách hàng muốn gia hạn hợp đồng thêm 2 năm.", "Cần xuất hóa đơn VAT trước ngày 25."},
	},
}

var places = []place{
	// North America
	{"New York", "NY", "US", "na", "100##", "+1 212-555-01##", "USD", "America/New_York", []string{"en"}, []string{"%d Madison Avenue", "%d Broadway", "%d West 34th Street"}},
	{"San Francisco", "CA", "US", "na", "941##", "+1 415-555-01##", "USD", "America/Los_Angeles", []string{"en", "zh"}, []string{"%d Market Street", "%d Mission Street", "%d Howard Street"}},
	{"Chicago", "IL", "US", "na", "606##", "+1 312-555-01##", "USD", "America/Chicago", []string{"en"}, []string{"%d North Michigan Avenue", "%d West Wacker Drive"}},
	{"Austin", "TX", "US", "na", "787##", "+1 512-555-01##", "USD", "America/Chicago", []string{"en", "es"}, []string{"%d Congress Avenue", "%d East 6th Street"}},
	{"Seattle", "WA", "US", "na", "981##", "+1 206-555-01##", "USD", "America/Los_Angeles", []string{"en"}, []string{"%d Pike Street", "%d 4th Avenue"}},
	{"Boston", "MA", "US", "na", "021##", "+1 617-555-01##", "USD", "America/New_York", []string{"en"}, []string{"%d Boylston Street", "%d Atlantic Avenue"}},
	{"Toronto", "ON", "CA", "na", "M#A #A#", "+1 416-555-01##", "CAD", "America/Toronto", []string{"en", "zh"}, []string{"%d King Street West", "%d Bay Street"}},
	{"Montréal", "QC", "CA", "na", "H#A #A#", "+1 514-555-01##", "CAD", "America/Toronto", []string{"fr", "en"}, []string{"%d rue Sainte-Catherine Ouest", "%d boulevard René-Lévesque"}},
	{"Vancouver", "BC", "CA", "na", "V#A #A#", "+1 604-555-01##", "CAD", "America/Vancouver", []string{"en", "zh"}, []string{"%d West Georgia Street", "%d Granville Street"}},
	// EMEA
	{"Berlin", "BE", "DE", "emea", "10###", "+49 30 #######", "EUR", "Europe/Berlin", []string{"de"}, []string{"Friedrichstraße %d", "Karl-Marx-Allee %d"}},
	{"München", "BY", "DE", "emea", "80###", "+49 89 #######", "EUR", "Europe/Berlin", []string{"de"}, []string{"Leopoldstraße %d", "Maximilianstraße %d"}},
	{"Zürich", "ZH", "CH", "emea", "80##", "+41 44 ### ## ##", "CHF", "Europe/Zurich", []string{"de", "it"}, []string{"Bahnhofstrasse %d", "Seefeldstrasse %d"}},
	{"Paris", "IDF", "FR", "emea", "750##", "+33 1 ## ## ## ##", "EUR", "Europe/Paris", []string{"fr"}, []string{"%d rue de Rivoli", "%d avenue des Champs-Élysées", "%d boulevard Haussmann"}},
	{"Lyon", "ARA", "FR", "emea", "6900#", "+33 4 ## ## ## ##", "EUR", "Europe/Paris", []string{"fr"}, []string{"%d rue de la République", "%d quai Saint-Antoine"}},
	{"Madrid", "MD", "ES", "emea", "280##", "+34 91 ### ## ##", "EUR", "Europe/Madrid", []string{"es"}, []string{"Calle de Alcalá %d", "Paseo de la Castellana %d"}},
	{"Milano", "MI", "IT", "emea", "201##", "+39 02 #### ####", "EUR", "Europe/Rome", []string{"it"}, []string{"Via Monte Napoleone %d", "Corso Buenos Aires %d"}},
	{"London", "ENG", "GB", "emea", "EC#A #AA", "+44 20 7946 0###", "GBP", "Europe/London", []string{"uk"}, []string{"%d Old Street", "%d Bishopsgate", "%d Canary Wharf"}},
	{"Manchester", "ENG", "GB", "emea", "M# #AA", "+44 161 496 0###", "GBP", "Europe/London", []string{"uk"}, []string{"%d Deansgate", "%d Oxford Road"}},
	{"Stockholm", "AB", "SE", "emea", "1## ##", "+46 8 ### ### ##", "SEK", "Europe/Stockholm", []string{"sv"}, []string{"Drottninggatan %d", "Sveavägen %d"}},
	{"Warszawa", "MZ", "PL", "emea", "0#-###", "+48 22 ### ## ##", "PLN", "Europe/Warsaw", []string{"pl"}, []string{"ul. Marszałkowska %d", "al. Jerozolimskie %d"}},
	{"Moscow", "MOW", "RU", "emea", "1#####", "+7 495 ###-##-##", "RUB", "Europe/Moscow", []string{"ru"}, []string{"ул. Тверская, д. %d", "Ленинградский пр-т, д. %d"}},
	{"Istanbul", "34", "TR", "emea", "34###", "+90 212 ### ## ##", "TRY", "Europe/Istanbul", []string{"tr"}, []string{"Büyükdere Cd. No:%d", "İstiklal Cd. No:%d"}},
	{"Dubai", "DU", "AE", "emea", "", "+971 4 ### ####", "AED", "Asia/Dubai", []string{"ar", "in"}, []string{"Office %d, Sheikh Zayed Road", "Unit %d, Dubai Silicon Oasis"}},
	{"Riyadh", "RI", "SA", "emea", "1####", "+966 11 ### ####", "SAR", "Asia/Riyadh", []string{"ar"}, []string{"%d King Fahd Road", "%d Olaya Street"}},
	{"Cairo", "C", "EG", "emea", "11###", "+20 2 #### ####", "EGP", "Africa/Cairo", []string{"ar"}, []string{"%d Tahrir Street", "%d Corniche El Nil"}},
	{"Lagos", "LA", "NG", "emea", "1#####", "+234 1 ### ####", "NGN", "Africa/Lagos", []string{"en"}, []string{"%d Adeola Odeku Street", "%d Awolowo Road"}},
	// APAC
	{"Tokyo", "13", "JP", "apac", "1##-####", "+81 3-####-####", "JPY", "Asia/Tokyo", []string{"ja"}, []string{"千代田区丸の内%d-4-1", "港区六本木%d-10-1"}},
	{"Osaka", "27", "JP", "apac", "5##-####", "+81 6-####-####", "JPY", "Asia/Tokyo", []string{"ja"}, []string{"北区梅田%d-3-1", "中央区本町%d-2-5"}},
	{"Shanghai", "SH", "CN", "apac", "200###", "+86 21 ########", "CNY", "Asia/Shanghai", []string{"zh"}, []string{"浦东新区世纪大道%d号", "黄浦区南京东路%d号"}},
	{"Beijing", "BJ", "CN", "apac", "100###", "+86 10 ########", "CNY", "Asia/Shanghai", []string{"zh"}, []string{"朝阳区建国路%d号", "海淀区中关村大街%d号"}},
	{"Shenzhen", "GD", "CN", "apac", "518###", "+86 755 ########", "CNY", "Asia/Shanghai", []string{"zh"}, []string{"南山区科技园路%d号", "福田区深南大道%d号"}},
	{"Singapore", "", "SG", "apac", "######", "+65 6### ####", "SGD", "Asia/Singapore", []string{"en", "zh", "in"}, []string{"%d Raffles Place", "%d Marina Boulevard"}},
	{"Sydney", "NSW", "AU", "apac", "2###", "+61 2 #### ####", "AUD", "Australia/Sydney", []string{"en", "uk"}, []string{"%d George Street", "%d Pitt Street"}},
	{"Melbourne", "VIC", "AU", "apac", "3###", "+61 3 #### ####", "AUD", "Australia/Melbourne", []string{"en"}, []string{"%d Collins Street", "%d Bourke Street"}},
	{"Seoul", "11", "KR", "apac", "0####", "+82 2-####-####", "KRW", "Asia/Seoul", []string{"ko"}, []string{"강남구 테헤란로 %d", "중구 세종대로 %d"}},
	{"Bengaluru", "KA", "IN", "apac", "560###", "+91 80 #### ####", "INR", "Asia/Kolkata", []string{"in"}, []string{"%d MG Road", "%d Outer Ring Road"}},
	{"Mumbai", "MH", "IN", "apac", "400###", "+91 22 #### ####", "INR", "Asia/Kolkata", []string{"in"}, []string{"%d Nariman Point", "%d Bandra Kurla Complex"}},
	{"Ho Chi Minh City", "SG", "VN", "apac", "7#####", "+84 28 #### ####", "VND", "Asia/Ho_Chi_Minh", []string{"vi"}, []string{"%d Nguyễn Huệ, Quận 1", "%d Lê Lợi, Quận 1"}},
	// LATAM
	{"São Paulo", "SP", "BR", "latam", "0####-###", "+55 11 9####-####", "BRL", "America/Sao_Paulo", []string{"pt"}, []string{"Av. Paulista, %d", "Rua Oscar Freire, %d"}},
	{"Rio de Janeiro", "RJ", "BR", "latam", "2####-###", "+55 21 9####-####", "BRL", "America/Sao_Paulo", []string{"pt"}, []string{"Av. Atlântica, %d", "Rua da Assembleia, %d"}},
	{"Ciudad de México", "CDMX", "MX", "latam", "0####", "+52 55 #### ####", "MXN", "America/Mexico_City", []string{"es"}, []string{"Paseo de la Reforma %d", "Av. Insurgentes Sur %d"}},
	{"Guadalajara", "JAL", "MX", "latam", "44###", "+52 33 #### ####", "MXN", "America/Mexico_City", []string{"es"}, []string{"Av. Chapultepec %d", "Av. Vallarta %d"}},
	{"Buenos Aires", "CABA", "AR", "latam", "C####AAA", "+54 11 ####-####", "ARS", "America/Argentina/Buenos_Aires", []string{"es", "it"}, []string{"Av. Corrientes %d", "Av. Santa Fe %d"}},
	{"Santiago", "RM", "CL", "latam", "83#####", "+56 2 #### ####", "CLP", "America/Santiago", []string{"es"}, []string{"Av. Apoquindo %d", "Av. Providencia %d"}},
	{"Bogotá", "DC", "CO", "latam", "110###", "+57 601 #######", "COP", "America/Bogota", []string{"es"}, []string{"Carrera 7 # %d-20", "Calle 93 # %d-45"}},
	{"Lima", "LIM", "PE", "latam", "150##", "+51 1 ### ####", "PEN", "America/Lima", []string{"es"}, []string{"Av. Larco %d", "Av. Javier Prado Este %d"}},
}

// currencies: approximate units per USD, and minor-unit digits.
var currencies = map[string]struct {
	perUSD float64
	digits int
}{
	"USD": {1, 2}, "CAD": {1.36, 2}, "EUR": {0.92, 2}, "GBP": {0.79, 2}, "CHF": {0.88, 2}, "SEK": {10.5, 2},
	"PLN": {4.0, 2}, "RUB": {90, 2}, "TRY": {32, 2}, "AED": {3.67, 2}, "SAR": {3.75, 2}, "EGP": {48, 2},
	"NGN": {1500, 2}, "JPY": {155, 0}, "CNY": {7.2, 2}, "SGD": {1.35, 2}, "AUD": {1.5, 2}, "KRW": {1370, 0},
	"INR": {83, 2}, "VND": {25000, 0}, "BRL": {5.2, 2}, "MXN": {17, 2}, "ARS": {900, 2}, "CLP": {930, 0},
	"COP": {3900, 2}, "PEN": {3.7, 2},
}

var owners = map[string][]string{
	"na":    {"Dana Whitfield", "Marcus Lee", "Jordan Alvarez"},
	"emea":  {"Lukas Brenner", "Sofia Rossi", "Amira Haddad", "Olivier Blanc"},
	"apac":  {"Kenji Watanabe", "Mei Lin", "Rahul Desai"},
	"latam": {"Carlos Mendoza", "Beatriz Souza"},
}

var (
	tagPool = []string{"enterprise", "smb", "mid-market", "strategic", "at-risk", "expansion", "reference-customer", "beta-program",
		"partner", "gdpr", "hipaa", "edi", "net-new", "renewal-2025", "vip", "multi-site", "self-serve", "api-heavy", "upsell", "public-sector"}
	roles = []string{"CEO", "CFO", "COO", "Head of Procurement", "IT Manager", "Operations Lead", "Accounts Payable",
		"Logistics Coordinator", "VP Sales", "Office Manager", "Security Officer", "Data Protection Officer"}
	sourceSystems = []string{"salesforce", "hubspot", "sap-crm", "dynamics-365", "legacy-access-db", "web-signup", "zoho"}
	industries    = []string{"manufacturing", "retail", "logistics", "healthcare", "software", "food & beverage", "energy", "financial services", "education", "public sector"}
	carriers      = []string{"DHL", "UPS", "FedEx", "DB Schenker", "Maersk", "Yamato", "SF Express", "Correios", "Estafeta"}
	plans         = []string{"starter", "business", "pro", "enterprise"}
	paymentTerms  = []string{"net30", "net45", "net60", "prepaid", "due_on_receipt"}
	deliveries    = []string{"email", "portal", "post", "edi"}

	englishNotes = []string{
		"Discussed renewal; customer wants a multi-year discount before signing.",
		"Asked for SSO setup help — forwarded to solutions engineering.",
		"Invoice disputed: duplicate line item on the last statement. Credit memo pending.",
		"Shipment delayed at customs; customer informed. 🚚",
		"Great QBR today 🎉 — expansion into two more sites is likely next quarter.",
		"Champion left the company; we need a new executive sponsor.",
		"Requested a copy of the data processing agreement (DPA).",
		"Prefers email over phone. Do not call before 10:00 local time.",
		"Escalation: API rate limits were hit during month-end close.",
		"Price increase accepted reluctantly; watch churn risk. 😬",
		"Bank details change request received via portal; verified by callback to the number on file.",
		"Asked about EU data residency options for the analytics module.",
		"Procurement needs a W-9 / supplier onboarding form before the PO can be issued.",
		"Onsite visit went well ☕ — team is happy with the new dashboard.",
		"Complaint about response times from support last week; apologised and offered a review call.",
		"Customer is consolidating vendors this year; we are on the shortlist.",
	}
	activityKinds = []string{"call", "email", "meeting", "ticket_opened", "ticket_closed", "order_placed", "invoice_sent", "invoice_paid", "login", "webinar"}
	emailSubjects = []string{"Re: renewal quote", "Q3 pricing update", "Invoice question", "Onboarding next steps", "Re: delivery schedule", "Security questionnaire", "Contract amendment", "Re: feature request"}
	ticketTopics  = []string{"Export job failing", "Cannot reset password", "Wrong VAT on invoice", "Webhook retries", "Slow search results", "Missing shipment tracking", "SSO login loop", "CSV import encoding"}
)

// bigCustomFields are the 48 custom fields of the largest record (C-1007).
var bigCustomFields = []string{
	"sap_account_id", "salesforce_id", "netsuite_id", "hubspot_id", "zendesk_org_id", "segment", "industry", "employee_count",
	"annual_revenue_band", "renewal_date", "contract_id", "msa_signed", "dpa_signed", "sso_enabled", "data_residency", "support_plan",
	"csm", "executive_sponsor", "nps_last", "health_score", "churn_risk", "expansion_potential", "preferred_carrier", "incoterms",
	"warehouse_code", "edi_enabled", "po_required", "tax_exempt", "tax_exempt_cert", "credit_check_date", "credit_rating", "duns_number",
	"lei_code", "gl_account", "cost_center", "billing_cycle", "invoice_language", "legal_entity", "parent_account", "region_override",
	"fiscal_year_end", "procurement_portal", "security_review", "onboarding_status", "last_qbr", "next_qbr", "partner_tier", "referral_source",
}

var smallCustomFields = []string{"industry", "employee_count", "segment", "salesforce_id", "renewal_date", "csm", "health_score",
	"nps_last", "preferred_carrier", "po_required", "sso_enabled", "support_plan", "churn_risk"}
