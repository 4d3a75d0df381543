/**
 * Multilingual cues of the offline classifier, beyond lexicon.ts: per
 * language lists for en, es, pt, fr, de, ar, ja, hi (Devanagari and
 * romanised) and id, scam-narrative parts (off-platform moves, money
 * promises, testimonials, hardship stories), hyperbole idioms and sarcasm
 * markers. Matched against `deobfuscate(text)` (normalize.ts): lower case,
 * NFKC, Latin accents removed, Devanagari nukta removed; write patterns
 * that way. Latin-script patterns use `\b`; patterns in other scripts
 * cannot (JavaScript's `\b` is ASCII-only) and match as substrings.
 *
 * Written from what comment sections say, per language; weights follow
 * lexicon.ts (2 or more decides on its own, 1 needs company).
 */
import type { Rule } from './lexicon';

const r = (pattern: RegExp, weight: number, reason: string): Rule => [pattern, weight, reason];

// ---- questions ----------------------------------------------------------------------

/** Question marks of every script: ? ¿ ？ ؟ (NFKC turns ？ into ?). */
export const QUESTION_MARK = /[?¿؟]/u;

export const QUESTION_CUES: readonly Rule[] = [
	// ar: interrogatives opening the comment or a clause
	r(/(?:^|[\s،,.])(?:هل|كم|متى|امتى|وين|فين|ايش|إيش|شو|كيف|ليش|لماذا|ماذا|أين|اين|مين|من وين|ينفع|ممكن|فيه|في|عندكم|حد يعرف|أحد يعرف)(?=\s)/u, 1.5, 'interrogative_ar'),
	// ja: polite question endings
	r(/(?:ますか|ですか|でしょうか|ありますか|できますか|ませんか|んですか|のですか|ますでしょうか|かな|って[^。]{0,6}ですか)(?:[?!。]|$|\s)|(?:いつ|どこ|どれ|なに|何|どう|どんな|いくつ|どのくらい|どれくらい)[^。]{0,20}(?:か|の)[?]?$/u, 2, 'question_ja'),
	// hi: Devanagari and romanised
	r(/(?:^|\s)(?:क्या|कब|कितन[ाेी]|कहा[ँं]|कैसे|क्यों|कौन)(?=\s|$|[?,])|(?:है|हैं|होगा|मिलेगा|चलेगा|आता) क्या\b|(?:^|\s)(?:kya|kab|kitna|kitne|kaise|kahan|kaha|kyun|kaun)\b|\b(?:hai|hain|hota hai|milega|chalega|aata hai|sakte hai|sakte hain|ho jayega) kya\b/u, 1.5, 'interrogative_hi'),
	// id
	r(/(?:^|\s)(?:apa|apakah|berapa|kapan|dimana|di mana|gimana|bagaimana|kenapa|mengapa|siapa|bisa|ada)\b|\b(?:nggak|gak|ngga|enggak|ga|tidak|belum)\s*(?:kak|min|sis|gan)?\s*[?]|\b(?:ya|sih) kak\b/u, 1.5, 'interrogative_id'),
	// es, pt, fr, de, en beyond lexicon.ts
	r(/\b(?:alguien sabe|alguem sabe|quelqu'un sait|weiss jemand|weiß jemand|any idea|does anybody know|is there (?:a|an|any))\b|^(?:est ce que|c'est quoi|on peut|il existe|ca marche|gibts|funktioniert|sind die|se puede|sirve|serve|da pra|pode|tem|aceita|trae|hacen|es apto|es resistente|es libre|quick q)\b/u, 1.5, 'question_phrase_more'),
];

// ---- purchase intent ---------------------------------------------------------------

export const PURCHASE_CUES: readonly Rule[] = [
	r(/بكم|السعر|سعر|كم سعر|بكام|أبي واحد|ابي واحد|ابغى|أبغى|عايز|عايزة|أطلب|اطلب|كيف أطلب|طلبت|اشتريه|أشتريه|اشتري|أشتري|لينك الشراء|رابط الشراء|كود خصم|أسعار جملة|اسعار جملة/u, 2.5, 'purchase_ar'),
	r(/いくら|値段|価格|欲しい|ほしい|注文|買いたい|買えます|購入|ポチ|割引|クーポン|まとめ割|法人向け/u, 2.5, 'purchase_ja'),
	r(/कितने का|कीमत|दाम|चाहिए|ऑर्डर|खरीद|डिस्काउंट|\b(?:price|rate) kya\b|\bchahiye\b|\border (?:kaise|kar)|\bkharid|\blink bhejo\b|\bdiscount milega\b/u, 2.5, 'purchase_hi'),
	r(/\b(?:harga(?:nya)?|berapaan|beli(?:nya)?|order(?:nya)?|checkout|pesen|mau yang|pengen|diskon|kode diskon|grosir|potongan|link belinya)\b/u, 2.5, 'purchase_id'),
	r(/\b(?:link (?:para|pra|pour|zum) (?:comprar|acheter|kaufen)|le lien pour acheter|me llevo|hice mi pedido|ya hice|vou levar|acabei de pedir|ja pedi|je le veux|il me le faut|commande|commander|bestellt|bestelle|will ich haben|brauch ich|mengenrabatt|gutscheincode|c'est combien|combien\b|tarif|preis|prix|precio|preco|kosten|kostet|quanto|cuanto (?:cuesta|sale|vale)|mayoreo|por mayor|atacado|em grosso)\b/u, 2, 'purchase_more'),
	r(/\b(?:placed (?:my|an) order|just ordered|ordering (?:tonight|now|today)|bulk order|need (?:this|these|it|one)\b|want (?:this|one|it)\b|gonna (?:get|buy)|i'?ll take (?:two|one|it)|sold,? (?:i'?m|ordering)|convinced me|grab(?:bing)? (?:two|one|it))/u, 2.5, 'purchase_more_en'),
];

// ---- complaints ----------------------------------------------------------------------

export const COMPLAINT_CUES: readonly Rule[] = [
	r(/ما وصل|ماوصل|لسه ما|لم يصل|ما جاني|انكسر|مكسور|خربان|جودة سيئة|سيئة|سيء|محد يرد|ما أحد يرد|ولا أحد|ولا حد|مختلف تماما|مختلف عن الصورة|استرجاع|استرداد|أنتظر|انتظر|غلط|يقفل|يعلق|نصابين|نصاب|ناقص|انخصم|مرتين/u, 2, 'complaint_ar'),
	r(/届かない|届きません|まだ届|届いてない|壊れ|ひどい|ひどすぎ|最悪|返事がない|返信なし|返信がない|違う|違いが届|返金|待って|落ち|繋がらない|つながらない|詐欺|無視|足りない|二重に請求|穴あい|かかるって|かかりました/u, 2, 'complaint_ja'),
	r(/नहीं आया|नहीं मिला|टूट|बेकार|जवाब नहीं|अलग है|रिफंड|इंतजार|गलत|बंद हो|फ्रॉड|धोखा|कम आए|नहीं उठाता|कट गए|\b(?:toot|tut) gaya|\bbekar\b|\bbakwas\b|\bnahi (?:aaya|mila|lagta|aata)\b|\bgalat\b|\balag hai\b|\brefund\b|\bwait kar\b|\bfat gaya\b|\bfraud\b/u, 2, 'complaint_hi'),
	r(/\b(?:belum (?:nyampe|sampai|datang|dikirim)|rusak|jelek|nggak (?:dibales|bales|nyampe|bisa dihubungi)|gak (?:dibales|bales)|beda jauh|nunggu|salah kirim|force close|lambat|penipu|kurang lengkap|kepotong|sobek|kecewa|parah banget)\b/u, 2, 'complaint_id'),
	r(/\b(?:sturzt|abgesturzt|ganz anders|falsche grosse|fehlende[n]? teile|keiner meldet|nicht erreichbar|abgebucht|dauert drei wochen|hat sich (?:nach|gelost)|plante|injoignable|une honte|mauvaise taille|rien a voir|preleve|personne ne repond|sans notice|toujours rien|s'est decollee|no tiene nada que ver|no deja|nunca llego|talla equivocada|me colgaron|todavia no llega|se despego|nao abre|tamanho errado|veio sem|ninguem resolve|demora \d+ dias|diferente da foto|me trataram|descolou|ate agora nao)\b/u, 2, 'complaint_more'),
	r(/\b(?:crash(?:es|ed|ing)?|still (?:billing|charging)|on hold for|label created|died on me|logged me out|never arrives|never arrived|cracked|rash|stopped (?:charging|working)|ignored|is way off|way off)\b/u, 2, 'complaint_more_en'),
	// A wait measured in weeks or months, in any language: company for other cues.
	r(/\b\d+ (?:weeks?|months?|semanas?|meses|semaines?|mois|wochen|monate?n?|minggu|bulan|hafte|mahine)\b|(?:週間|ヶ月|か月)|(?:أسابيع|أسبوعين|شهرين|من شهر)|(?:हफ्ते|महीने)/u, 1, 'long_wait'),
];

// ---- praise ---------------------------------------------------------------------------

export const PRAISE_CUES: readonly Rule[] = [
	r(/جميل|رائع|روعة|ممتاز|أنصح|انصح|حلو|مريح|شكرا|شكراً|ماشاء الله|ما شاء الله تبارك|أفضل شي|افضل شي|تجنن/u, 2, 'praise_ar'),
	r(/最高|おすすめ|ぴったり|丁寧|かわいい|可愛い|ありがとう|リピ|買ってよかった|よかった|素敵|美味しい|神|良くなり|心地よく/u, 2, 'praise_ja'),
	r(/बढिया|शानदार|सुंदर|धन्यवाद|ज़रूर खरीदें|जरूर खरीदें|\b(?:mast|badhiya|zabardast|ekdum perfect|best purchase|sabko recommend)\b/u, 2, 'praise_hi'),
	r(/\b(?:bagus|mantap|mantul|cantik|nyaman|recommended|makasih|terima kasih|ramah|enak|pas banget|terbaik|beres)\b/u, 2, 'praise_id'),
	r(/\b(?:rapidisimo|lo amo|la amo|feliz|sin problema|nota 10|resolveram|adorei|gelost|passt perfekt|meilleur achat|trop bien|regle en|bem embalado|bien empacado|gut verpackt|bien emballe|me cambiaron|10 de 10|no se lo quita|still going|hasn't taken it off|way better than|actually works|replaced my)\b/u, 2, 'praise_more'),
];

// ---- hyperbole: violent or extreme idioms meant as praise or desire ------------------

export const HYPERBOLE_PRAISE: readonly Rule[] = [
	r(/\b(?:is|so|was|this|that's|thats) (?:killer|insane|a beast|fire|sick|unreal)\b|\bkill(?:ed|ing)? it\b|\bto die for\b|\bi'?m dead\b|\bslaps?\b|\bwould (?:murder|kill) me if\b|\bsuch a (?:beast|killer)\b/u, 2.5, 'hyperbole_en'),
	r(/\bde muerte\b|\bes una bomba\b|\bla rompieron\b|\bla rompe\b|\bbrutal\b|\bme muero de\b|\bde matar\b|\buma bomba\b|\bmorri\b|\buna tuerie\b|\bune dinguerie\b|\bmorte? de rire\b|\bder wahnsinn\b|\bder (?:absolute )?hammer\b|\btot vor lachen\b/u, 2.5, 'hyperbole_eu'),
	r(/تجنن|نار|متت من الضحك|死ぬ|死んだ|やばい|神|कातिलाना|\baag hai\b|\bmar gaya\b|\bgila\b|\bmampus\b|sampai mati|\bparah\b/u, 2.5, 'hyperbole_other'),
];

export const HYPERBOLE_DESIRE: readonly Rule[] = [
	r(/\b(?:i'?d|i would|would) (?:literally )?(?:kill|sell my soul|die) for\b|\bdeal is killer\b|\bmataria por\b|\beu mataria\b|\bje tuerais\b|\bwurde ich morden\b|أموت على|のためなら死ねる|\bjaan de du\b|\brela mati\b/u, 3, 'hyperbole_desire'),
];

// ---- sarcasm ----------------------------------------------------------------------------

export const SARCASM_CUES: readonly Rule[] = [
	r(/\b(?:que maravilla|si claro|sure,|parabens pela|otimo atendimento|nossa que|bravo pour|super le service|na toll|super expressversand|toller kundenservice|wah kya|wah cepet|kualitas juara|so glad i paid|amazing how|brilliant idea|love how|5 stars for|would wait|totally worth)\b|ما شاء الله على|ممتازة، صار|شكرا على ولا|شكراً على ولا|さすが|素晴らしいサポート|ほんと最高|वाह क्या/u, 2, 'sarcasm_more'),
	r(/\b(?:only|just|solo|so|seulement|nur|cuma|sirf|sirf)\s+(?:took\s+)?\d*\s*(?:two|three|\d+)?\s*(?:weeks?|months?|semanas?|meses|semaines?|mois|wochen|monate|bulan|minggu|mahine)\b|सिर्फ दो महीने|بعد شهرين|(?:2|２)週間かかりました/u, 2, 'sarcasm_duration'),
];

// ---- spam -----------------------------------------------------------------------------

export const SPAM_CUES: readonly Rule[] = [
	r(/تابعني|أتابعك|اتابعك|متابعين|حسابي|قناتي|يوتيوب|اربح|من البيت|راسلني خاص|تواصل خاص|البايو/u, 2, 'spam_ar'),
	r(/相互フォロー|フォロワー|プロフ|在宅|稼げ|日給|チャンネル登録|dmください/u, 2, 'spam_ja'),
	r(/फॉलो कर|फॉलोअर्स|प्रोफाइल|कमाएं|घर बैठे|\b(?:ghar baithe|paise kamao|followers badhane|meri profile|channel ko subscribe|follow karo)\b/u, 2, 'spam_hi'),
	r(/\b(?:follback|follow aku|kerja dari rumah|gaji jutaan|jual followers|cek profilku|cek bio|profilku|subscribe channel|nambah followers)\b/u, 2, 'spam_id'),
	r(/\b(?:sigo de volta|te sigo|sigueme|suivez|je vous suis en retour|ich folge zuruck|folgt mir|abonnez|abonniert|inscreva|suscribete|confira meu|visita mi|visite mon|allez voir mon|entra a mi|passa no meu|passe sur mon|schau auf meinem|schaut auf meinem|veja meu|mira mi|seguidores|abonnes|follower|replicas|repliques|repliken|replica|chama no priv|per pn|en mp|gagnez de l'argent|verdiene geld|ganhe dinheiro|ganha dinheiro|te regalo \d+|ganar extra|emprendedoras)\b/u, 2, 'spam_more'),
	r(/\b(?:free followers|buy followers|check my bio|free samples|hot singles|see (?:my )?profile|at my shop|same thing for half|half the price|sell(?:ing)? (?:my|the same)|per survey|for every survey|get paid to)\b/u, 2, 'spam_more_en'),
];

/** Instructions to a moderator in other languages (added to the injection score). */
export const INJECTION_CUES: readonly Rule[] = [
	r(/\b(?:abaikan|ignora|ignore|ignorez|ignoriere)\b.{0,30}\b(?:instruksi|instrucciones|instrucoes|instructions|anweisungen)\b|تجاهل.{0,20}التعليمات|指示.{0,10}無視|निर्देशों को अनदेखा/u, 3, 'injection_instructions_ml'),
	r(/\b(?:marca este comentario|classifique este comentario|classez ce commentaire|markiere diesen kommentar|tandai komentar|classify this comment|mark this comment)\b|صنف هذا التعليق|として分類|के रूप में चिह्नित/u, 2.5, 'injection_label_ml'),
	r(/\b(?:moderador|moderateur|moderator|ai moderator)\b.{0,10}[:,]|مشرف:|モデレーター/u, 1.5, 'injection_addresses_moderator'),
	r(/\b(?:hapus semua|borra todos|apague todos|supprimez tous|losche alle|delete all|delete every)\b|احذف كل|すべて削除|delete kar do/u, 2.5, 'injection_mass_action_ml'),
];

// ---- scams: the parts of a scam story ---------------------------------------------------

/** Moves the talk off the platform: messengers, numbers, "DM me and I'll give you his …". */
export const OFF_PLATFORM = /\b(?:whats ?app|wh?atsapp|wasap|zap|wa nya|nomor wa|telegram|t\.me|signal app|viber|wechat|line id|kik)\b|واتساب|الواتس|تيليجرام|تلغرام|lineで|line教え|テレグラム|व्हाट्सएप|टेलीग्राम/u;

export const SCAM_CUES: readonly Rule[] = [
	// Investment and trading
	r(/\b(?:bitcoin|btc|crypto|cripto|criptomonedas|krypto|kripto|forex|trading|trader|trade|investment|investments|inversiones|investimentos|investissements|investition(?:en)?|investasi|invest|invierte|investir|investiere|investissez|invista|inverti|account manager|gerente de conta|plataforma de trading)\b|بيتكوين|البيتكوين|العملات الرقمية|استثمار|يستثمر|مستشار مالي|ビットコイン|仮想通貨|投資|トレーダー|बिटकॉइन|इन्वेस्टमेंट|\binvest karna\b/u, 0.5, 'investment'),
	// Money multiplied, earnings per period, guarantees
	r(/\b(?:doubled|tripled|multiplied|multiplico|multiplicou|multiplie|verzehnfacht|10 guna|10 kali lipat|naik \d+ kali)\b|ضاعف|10倍|\b(?:guaranteed|garantizado|garantido|garanti|garantiert|dijamin|100% trusted|no risk|sin riesgo)\b|مضمون|絶対儲か/u, 2, 'money_promise'),
	r(/(?:[$€£¥₹]|rp|r\$|usd)\s?\d[\d.,]*\s*(?:k\b)?.{0,40}(?:(?:a|per|every|each|por|par|pro|al|na|a la) (?:day|week|month|semana|dia|semaine|woche|jour|tag)|weekly|daily|in \d+ (?:days|hours|hrs)|en \d+ (?:dias|horas|jours|h)|em \d+ (?:horas|dias)|in \d+ (?:stunden|tagen))|\b\d[\d.,]*\s*(?:dolares|dollars|euros?|€|reais|ribu|juta|rupees|रुपये|ドル|万円|دولار).{0,30}(?:por semana|per week|par semaine|pro woche|per minggu|per hari|perhari|every week|a week|في الأسبوع|毎週|हर हफ्ते|dalam \d+ hari|en \d+ dias|in \d+ days|em \d+ horas|خلال \d+ ساعة)|(?:earn|earned|make|made|gano|ganho|gagne|verdiene|dapat|kamati|أربح|稼)\S*\s.{0,20}\d/u, 2, 'money_promise'),
	r(/\b(?:invest|invierte|invista|investissez|investiere|modal|lagao|استثمر)\s*(?:[$€£]|rp|r\$)?\s?\d+.{0,40}(?:receive|recibe|receba|recevez|erhalte|jadi|pao|اربح|get back|got back)/u, 3, 'investment_offer'),
	// Testimonials: an honorific name praised for money
	r(/\b(?:mr|mrs|ms|dr|sir|madam|madame|senora|senor|sr|sra|dona|frau|herrn?|ibu|pak|verma sir)\.?\s+[a-z]{3,}|الأستاذة|الأستاذ|先生|さんに出会|मैडम|\bsir ko\b/u, 1.5, 'honorific_name'),
	r(/\b(?:changed my life|god bless (?:her|him)|forever grateful|eternamente grata|es una bendicion|ele e uma bencao|sie ist ein segen|c'est une benediction|beliau sangat membantu|amanah dan terpercaya|absolut seri[oö]s|de confianza|de confianca|est fiable|100% confiable|legit)\b|الله يجزاها خير|人生が変わり|ثقة/u, 1.5, 'testimonial'),
	// Hardship stories that open scam narratives
	r(/\b(?:divorce|depressed|lost my job|broke and|sleeping in my car|widow|single mom|struggling|passed away|cried every night|deudas|lloraba|perdi mi trabajo|dividas|desempregada|chorava|perdi meu marido|endettee|licenciement|tout perdu|schulden|kundigung|am ende|hutang|terlilit|kena phk|ditinggal suami|naukri chali|kiraya)\b|ديون|طلاق|فقدت شغلي|離婚|借金|クビ|कर्ज|तलाक/u, 1.5, 'hardship_story'),
	// Prize and gift bait in more languages
	r(/\b(?:has sido seleccionad[oa]|tarjeta de regalo|vale-presente|carte cadeau|gutschein uber|voucher belanja|memenangkan|anda memenangkan|gift card|giftcard)\b|فزت|بطاقة هدايا|当選|ギフトカード|गिफ्ट कार्ड|जीता है/u, 2, 'prize_bait'),
	// Account threats and verification in more languages
	r(/\b(?:verifica tu cuenta|confirme seus dados|confirmez votre identite|bestatigen sie ihre identitat|verifikasi akun|dinonaktifkan|desactivada|desativada|desactivee|deaktiviert|normas comunitarias|padroes da comunidade|standards de la communaute|gemeinschaftsstandards|standar komunitas|community standards|community guidelines)\b|تأكيد حسابك|تعطيل صفحتك|معايير المجتمع|アカウントを確認|コミュニティ規定|वेरीफाई|कम्युनिटी स्टैंडर्ड्स/u, 3, 'phishing_account'),
	// Parcels held for a fee
	r(/\b(?:aduana|alfandega|retida|retenido|douane|zoll|bea cukai|tertahan|customs|unpaid|redelivery|tasa de|taxa de|frais de|gebuhr|biaya)\b.{0,60}(?:[$€£]|rp|r\$|\d)|الجمارك|再配達|不在のため|पार्सल रुका|शुल्क भरें/u, 2.5, 'parcel_fee'),
	// Card numbers, security codes, passwords
	r(/\b(?:card number|cvv|security code|numero de (?:tu )?tarjeta|codigo de seguridad|numero do cartao|codigo de seguranca|numero de carte|code au dos|kartennummer|pruefziffer|pruefnummer|prufziffer|nomor kartu|kode cvv|email and password)\b|رقم بطاقتك|الرمز السري|カード番号|セキュリティコード|कार्ड नंबर/u, 3, 'credentials'),
	// Recovery and "hacker" offers
	r(/\b(?:recovered my|recovery expert|recover(?:ed)? (?:my )?(?:stolen )?funds|got mine back|hacker who)\b/u, 2.5, 'recovery_scam'),
	// Dashed names on cheap TLDs (official-looking service domains): company for other cues, spam shops use them too
	r(/\b[a-z0-9]+(?:-[a-z0-9]+)+\.(?:xyz|top|info|help|click|site|online|shop|store|live|icu|buzz|cc|vip)\b/u, 1, 'dashed_domain'),
	r(/\b(?:meta|fb|ig|facebook|instagram)-[a-z-]+\.(?:com|net|org|help)\b/u, 2, 'lookalike_domain'),
];

// ---- abuse and hate -----------------------------------------------------------------------

export const ABUSE_CUES: readonly Rule[] = [
	r(/غبي|أغبياء|اغبياء|حيوان|انقلع|اسكت|حرامية|مقرف|زبالة|يا كلب/u, 2.5, 'abuse_ar'),
	r(/バカ|ばか|カス|黙れ|消えろ|ブス|無能|アホ|クズ|ゴミ買う/u, 2.5, 'abuse_ja'),
	r(/बेवकूफ|चुप कर|गधे|कमीने|\b(?:saale|chor log|nikamme|badsurat|pagal|kachra kharidne|chup kar|bewakoof|kamine)\b/u, 2.5, 'abuse_hi'),
	r(/\b(?:goblok|bego|anjing|anjir|bacot|maling|nggak becus|tolol|bangsat|jelek banget anjir|diem lo)\b/u, 2.5, 'abuse_id'),
	r(/\b(?:dumm|hasslich|vollidioten|fresse|feia|burro|debile|moche|bouffons|asco|horrible, que|callate|ladrones|inutiles|payaso|crackhead|gross|karen|nobody asked)\b/u, 2, 'abuse_more'),
];

/** Groups people are attacked for (generic words, no slurs). */
const GROUPS = /\b(?:immigrants?|migrants?|foreigners?|refugees?|muslims?|jews|gays?|gay couple|lesbians?|trans|disabled people|women|woman's place|inmigrantes|extranjeros|gays|homosexuales|imigrantes|estrangeiros|nordestinos?|immigres|etrangers|homosexuels|auslander|fluchtlinge|schwule|orang asing|kaum pelangi|gay logon|ye log)\b|الأجانب|المثليين|外国人|移民|同性愛者/u;
const ATTACKS = /\b(?:ruining|destroying|control|animals|plague|plaga|plaie|parasites?|vermin|deported|shouldn't|should not|no deberian|nao deviam|n'ont rien a faire|nichts verloren|raus|fuera|dehors|fora|jangan|destruindo|estao destruindo|so serve|hancur|barbaad|bahar nikalo|disgusting|nobody wants|menjijikkan|ghatiya|in the kitchen)\b|خراب|ما لهم مكان|帰れ|ダメにしてる|出すな|気持ち悪い/u;

export const HATE_CUES: readonly Rule[] = [
	r(/ارجع لبلدك|ما نبيكم|国に帰れ|अपने देश वापस|\bpulang ke negara|\bretourne dans ton pays|\bgeh zuruck in dein land|\bvolta pra sua terra|\bque se vuelvan a su pais|\bgo back to your (?:own )?country/u, 3, 'exclusion_ml'),
];

/** A group word and an attack in the same comment. */
export function groupAttack(text: string): boolean {
	return GROUPS.test(text) && ATTACKS.test(text);
}

// ---- chatter that is not a question about the product -------------------------------------

/** "Anyone from Munich?", "what's the song in the ad?": questions, but not for the brand. */
export const OFF_TOPIC_QUESTION: readonly Rule[] = [
	r(/\b(?:anyone|someone|alguien|alguem|quelqu'un|jemand|ada yang|koi|kisi)\b.{0,12}\b(?:from|de|aus|dari|se)\b\s+\S+\s*\??$|أحد من|من .{0,10} هنا[?]|の人いますか|से है[?]/u, 3, 'anyone_from'),
	r(/\b(?:song|music|musica|musique|lied|lagu|gaana|cancion|musik)\b.{0,25}(?:\?|$)|الأغنية|曲/u, 2, 'ad_music'),
];
