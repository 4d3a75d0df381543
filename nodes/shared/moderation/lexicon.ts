/**
 * The offline classifier's patterns and word lists, one place to review and
 * extend. Patterns are matched against a *folded* copy of the comment:
 * lower case, accents removed (`cuánto` → `cuanto`), curly quotes made
 * straight; the abuse and lookalike checks also see a de-leeted copy
 * (`1d10t` → `idiot`, `stuuupid` → `stupid`). Write patterns without accents.
 *
 * Each rule is `[pattern, weight, reason code]`. Weights are additive per
 * intent; a weight of 2 or more is a signal that decides on its own, 1 needs
 * company. Patterns avoid nested quantifiers (no catastrophic backtracking on
 * long hostile input).
 *
 * Hate patterns favour dehumanising and exclusionary phrasing over slurs:
 * no slur list is shipped; a deployment that needs one can pass extra rules.
 */

export type Rule = readonly [pattern: RegExp, weight: number, reason: string];

const r = (pattern: RegExp, weight: number, reason: string): Rule => [pattern, weight, reason];

// ---- links, contacts, money ----------------------------------------------------

/** A URL or a bare domain (`example.com/x`, `bit.ly/abc`). */
export const URL_PATTERN = /\b(?:https?:\/\/|www\.)[^\s<>"]+|\b[a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9-]{1,63}){0,3}\.(?:com|net|org|io|co|xyz|top|shop|store|site|online|link|click|info|biz|ru|cn|me|ly|gl|gd|ee|to|cc|vip|live|app|example|tk|ml|ga|cf|gq|win|bid|loan|icu|buzz)\b(?:\/[^\s<>"]*)?/giu;

export const SHORTENER_PATTERN = /\b(?:bit\.ly|tinyurl\.com|t\.co|goo\.gl|ow\.ly|is\.gd|cutt\.ly|rb\.gy|shorturl\.at|tiny\.cc|linktr\.ee|t\.me|wa\.me|lnkd\.in|buff\.ly|rebrand\.ly)\b/iu;

/** Phone numbers: 8+ digits with the usual separators, optionally `+`. */
export const PHONE_PATTERN = /(?:\+|\b)\d[\d\s().-]{6,16}\d\b/u;

export const SPAM_RULES: readonly Rule[] = [
	r(/\b(?:check|visit|see) (?:out )?(?:my|our) (?:profile|page|bio|channel|account|store|shop)\b/u, 2.5, 'self_promotion'),
	r(/\blink in (?:my |the )?bio\b/u, 2.5, 'self_promotion'),
	r(/\bfollow (?:me|my (?:page|account|profile|ig|insta|channel)|us for)\b|\bfollow @\w+/u, 2, 'follow_bait'),
	r(/\b(?:sub(?:scribe)? to my|subscribe to my)\b/u, 2, 'follow_bait'),
	r(/\b(?:dm|pm|inbox|message|text) (?:me|us)\b|\bdm for (?:price|info|details)\b/u, 1.5, 'dm_me'),
	r(/\bsend (?:me )?a (?:dm|pm|message)\b/u, 1.5, 'dm_me'),
	r(/\b(?:work(?:ing)? from home|passive income|make money|earn (?:money|\$?\d+)|side hustle|no experience (?:needed|required)|be your own boss|extra income|financial freedom)\b/u, 2, 'money_making'),
	r(/(?:\$|€|£|usd ?)\d[\d,.]* ?(?:\/|a |per |every )(?:day|week|hour|daily)\b/u, 2, 'money_making'),
	r(/\b\d+(?:k|,000)? ?(?:a|per) (?:day|week) from home\b/u, 2, 'money_making'),
	r(/\b100% (?:original|legit|authentic|real)\b/u, 1.5, 'spam_claim'),
	r(/\b(?:check out|subscribe to|visit) (?:my|our) (?:new )?(?:youtube|channel|etsy|shop|store|page|blog|website|podcast|tiktok|onlyfans)\b|\bmy (?:youtube|etsy|tiktok) (?:channel|store|shop)\b/u, 2.5, 'self_promotion'),
	r(/\b(?:brand ambassadors?|promote your (?:page|business|account)|(?:\d+[km]?|more|real|free) (?:followers|likes|subscribers)\b)/u, 2, 'growth_offer'),
	r(/\b(?:selling|for sale|vendo|verkaufe|je vends|vendo o meu)\b.{0,40}\b(?:dm|pm|inbox|message|mensaje|privado|nachricht|direct)\b/u, 2.5, 'reselling'),
	r(/\b(?:lost|lose) \d+ ?(?:pounds|lbs|kg|kilos)\b|\bweight loss\b|\bdetox tea\b/u, 2, 'miracle_product'),
	r(/\b(?:gana|ganhe|verdiene|gagnez) (?:dinero|dinheiro|geld|de l'argent|\d+)|\bdesde casa\b|\bvon zu hause\b|\bde casa\b|\bdepuis chez (?:vous|toi)\b/u, 2, 'money_making'),
	r(/\b(?:escribeme|escribanme|mandame) (?:al|por) (?:privado|dm|inbox|whatsapp)\b|\bchama no (?:direct|privado|zap|whats)\b|\bschreib mir (?:eine )?(?:dm|pn|nachricht)\b|\becris-moi en (?:mp|prive)\b/u, 2, 'dm_me'),
	r(/\bseguidores (?:reais|reales)\b|\bfollower kaufen\b/u, 2, 'growth_offer'),
	r(/\b(?:mira|miren|visita|visiten|confira|olha) (?:mi|meu|o meu) (?:perfil|pagina|canal|tienda|loja)\b/u, 2.5, 'self_promotion'),
	r(/\b(?:cheap|replica|wholesale|knock ?off|fake) (?:sneakers|shoes|bags|watches|jackets|jerseys|designer|brands?)\b/u, 2, 'counterfeit'),
	r(/\bgiveaways?\b/u, 1, 'giveaway'),
	r(/\b(?:sorteos?|gewinnspiel|concours|sorteio|sorteios)\b/u, 1, 'giveaway'),
	r(/\b(?:sigam|siga|sigan|siganme|folgt mir|suivez(?:-moi)?|abonnez-vous)\b/u, 2, 'follow_bait'),
	r(/\b(?:mi|meu|mein|mon|ma) (?:perfil|profil|pagina|seite|page)\b/u, 1, 'self_promotion'),
	r(/\b(?:promo|followers?|likes) (?:for sale|cheap)\b|\bbuy (?:followers|likes)\b/u, 2.5, 'follower_selling'),
	r(/\b(?:onlyfans|nudes?|xxx|porn|hot singles|sexy (?:girls|singles))\b/u, 2.5, 'adult_spam'),
	r(/👉{2,}|💰{2,}|💸{2,}|🤑/u, 1, 'spam_emoji'),
	r(/\b(?:hit|click) (?:the )?link\b|\bclick here\b|\bsign ?up (?:now|here|today)\b/u, 1.5, 'call_to_click'),
];

/**
 * Text that addresses an automated moderator or tries to inject
 * instructions. It is labelled spam when nothing else is said: a comment is
 * classified by what it is, never obeyed.
 */
export const INJECTION_RULES: readonly Rule[] = [
	r(/\b(?:ignore|disregard|forget|override) (?:all |any |the |your |my )?(?:previous |prior |above |earlier |former )?(?:instructions|prompts?|rules|guidelines|directives|programming)\b/u, 3, 'injection_instructions'),
	r(/(?:^|\n|\s)(?:system|assistant|developer|admin)\s*:/u, 2, 'injection_role_marker'),
	r(/\b(?:you are now|you're now|act as|pretend to be|from now on you)\b/u, 1.5, 'injection_role_play'),
	r(/\b(?:admin|developer|god|debug|maintenance) mode\b/u, 2, 'injection_mode'),
	r(/\b(?:delete|remove|hide|ban|block) (?:every|all|each|the other|other) (?:\w+ )?(?:comments?|posts?|users?|reviews?)\b/u, 2.5, 'injection_mass_action'),
	r(/\b(?:as|dear|attention|hey) (?:the |an? )?(?:moderator|moderation|classifier|ai|bot|assistant|llm|gpt|chatgpt)\b/u, 1.5, 'injection_addresses_bot'),
	r(/"(?:intent|action|classification|label|tool|function_call|policy|confidence)"\s*:/u, 2.5, 'injection_json'),
	r(/\b(?:classify|label|mark) (?:this|me|it) as\b/u, 2, 'injection_label'),
	r(/<\/?(?:system|instructions?|prompt|data|comments?)>|\[\/?(?:inst|system)\]|```/u, 2, 'injection_markup'),
	r(/\b(?:ignora|ignorez|ignoriere|ignore) (?:tus|todas|las|vos|toutes|les|alle|deine|suas|as|todas as) ?(?:instrucciones|instructions|anweisungen|instrucoes|regras|reglas|regles)\b/u, 3, 'injection_instructions'),
	r(/\b(?:borra|elimina|loschen|losche|supprime|supprimez|apaga|apague) (?:todos|todas|alle|tous|toutes)\b/u, 2.5, 'injection_mass_action'),
];

/**
 * Broader cues of text aimed at an automated moderator, used only to send
 * such a comment to the model in a request of its own (isolation costs one
 * request; a miss lets a fooled model mislabel the comment's neighbours).
 * Not used for scoring.
 */
export const INJECTION_SUSPECT_PATTERNS: readonly RegExp[] = [
	/\b(?:system|assistant|developer|admin)\b[^.!?\n]{0,24}:/u,
	/\b(?:instructions?|prompt|directive) (?:to|for) (?:the |any |this )?(?:ai|bot|model|assistant|moderator|llm)\b/u,
	/\b(?:automated system|moderation (?:bot|ai|system)|moderator (?:bot|ai)|chat ?bot|language model|the ai|this ai|an ai|the bot)\b/u,
	/^(?:assistant|bot|ai|moderator|gpt|chatgpt|claude|llm)\b\s*[,:]/u,
	/\b(?:every|all|each) (?:other )?comments?(?:'s)? (?:intent|label|classification|on this (?:ad|post|page))\b/u,
	/\b(?:reply|respond|answer) (?:with|by) ["'][^"']{1,80}["'] to (?:all|every)\b|\bto all comments\b/u,
];

export const SCAM_RULES: readonly Rule[] = [
	r(/\b(?:bitcoin|btc|crypto(?:currency)?|ethereum|usdt|forex|binary options?|nft drop)\b/u, 1.5, 'crypto'),
	r(/\b(?:invest(?:ed|ing|ment)?|trading|trader|account manager|portfolio)\b/u, 1, 'investment'),
	r(/\b(?:doubled|tripled|10x(?:ed)?) my (?:money|investment|bitcoin|btc|crypto|income|savings)\b/u, 2.5, 'investment_testimonial'),
	r(/\b(?:thanks to|contact|recommend|message) (?:mr|mrs|ms|dr|sir|madam|expert)\.? [a-z]+\b/u, 2, 'investment_testimonial'),
	r(/\b(?:whatsapp|telegram|signal|wickr|viber)\b/u, 1.5, 'off_platform_contact'),
	r(/\b(?:congratulations?|congrats|felicidades|herzlichen gluckwunsch|felicitations|parabens)\b.{0,60}\b(?:selected|winner|won|chosen|ganador|gewonnen|gagne|ganhou|ganhador|seleccionad[oa]|ausgewahlt|selectionne|selecionad[oa])\b/u, 2.5, 'fake_prize'),
	r(/\byou(?:'ve| have)? (?:been )?(?:selected|chosen|won)\b/u, 2, 'fake_prize'),
	r(/\bclaim (?:now|it|yours|your (?:free |\w+ )?(?:prize|reward|gift|jacket|voucher|card))\b|\bclaim (?:here|at|via)\b|\b(?:reclamala|reclamalo|reclama tu)\b|\bla reclamer\b|\bresgate (?:aqui|agora)\b/u, 2, 'claim_prize'),
	r(/\b(?:free|gratis|gratuit|kostenlos|gratuito) (?:gift ?card|iphone|voucher|jacket|prize|\$?\d+)\b/u, 1, 'free_prize'),
	r(/\bgift ?cards?\b/u, 1, 'gift_card'),
	r(/\b(?:giving away|give ?away|free)\b.{0,60}\b(?:email and password|password|card details|login|bank details)\b|\b(?:card|bank|login) details\b/u, 3, 'credential_harvest'),
	r(/\b(?:customs|redelivery|delivery|shipping) fee\b|\bcould not be delivered\b|\bpackage (?:is )?on hold\b|\border is on hold\b/u, 2, 'parcel_scam'),
	r(/\b(?:payday loans?|cash fast|fast cash|instant loan)\b/u, 2.5, 'financial_scam'),
	r(/\b(?:army|un|navy) (?:doctor|officer|general|soldier)\b.{0,60}\b(?:package|parcel|funds|money)\b|\bon (?:a )?(?:peace ?keeping )?mission\b.{0,40}\bsend you\b/u, 3, 'advance_fee'),
	r(/\breceive (?:and reship|packages? at home|parcels? at home)\b|\breship(?:ping)? (?:job|them|packages)\b/u, 3, 'mule_recruitment'),
	r(/\b(?:signal group|vip (?:signal|group|channel)|pump (?:and|&) dump)\b/u, 2, 'investment_group'),
	r(/\b(?:zuckerberg|elon musk|mrbeast) (?:is )?giving\b/u, 3, 'celebrity_giveaway'),
	r(/\b(?:90|80|95)% off all\b.{0,40}\b(?:only today|today only|last day)\b|\bclearance sale\b.{0,40}\.(?:store|shop|top|online|site|click)\b/u, 2, 'fake_sale'),
	r(/\b(?:verify|confirm|validate|secure|unlock|reactivate|restore) (?:your|the) (?:account|page|identity|details|login|payment(?: details)?|card)\b|\b(?:verifizieren|bestatigen) sie ihr(?:e)? (?:konto|daten|identitat)\b|\bconfirmez votre (?:identite|compte)\b|\bconfirme (?:seus|sua) (?:dados|conta|identidade)\b|\bverifica tu (?:cuenta|identidad)\b/u, 3, 'phishing_verify'),
	r(/\b(?:your|this) (?:ad |business )?(?:page|account|profile) (?:will be|has been|is being|is going to be|is) (?:disabled|suspended|deleted|restricted|removed|banned|unpublished)\b|\b(?:will be|to be) unpublished\b|\bihr konto wird gesperrt\b|\bvotre (?:page|compte) sera (?:desactive|supprime|suspendu)e?\b|\bsua (?:pagina|conta) sera (?:desativada|suspensa|excluida)\b|\btu (?:pagina|cuenta) sera (?:desactivada|suspendida|eliminada)\b/u, 3, 'phishing_threat'),
	r(/\b(?:policy|copyright|community standards?|trademark) (?:violation|infringement|breach|strike)s?\b/u, 2, 'phishing_policy'),
	r(/\b(?:meta|facebook|instagram) (?:support|security|team|help ?desk|business support|verification)\b/u, 1.5, 'impersonation'),
	r(/\b(?:login|log in|sign in) (?:here|now|below|to avoid)\b|\benter your (?:password|login|card|pin)\b/u, 2.5, 'phishing_login'),
	r(/\b(?:loan|credit) (?:approved|offer|without)\b|\bguaranteed (?:profit|returns?|income)\b/u, 2, 'financial_scam'),
	r(/\b(?:pay only|just pay|only pay)(?: the)?(?: \$?\d+(?:[.,]\d+)?\$?)? (?:for )?(?:shipping|delivery|postage)\b|\b(?:pague|paga) (?:so|solo|apenas) (?:o|el) (?:frete|envio)\b/u, 2.5, 'shipping_fee_scam'),
	r(/\bwin (?:an? |the )?(?:free )?(?:iphone|ipad|macbook|ps5|playstation|gift ?card|car|tesla|\$\d+)/u, 2.5, 'fake_prize'),
	r(/\b(?:invest|invierte|inviertan|investe|investiere|investissez) (?:\$|€|£)?\d+/u, 2.5, 'investment_offer'),
	r(/\b(?:recover|hack(?:ed)?|hacker) (?:your |my |an? )?(?:account|page|password|funds)\b|\brecovery expert\b/u, 3, 'recovery_scam'),
	r(/\b(?:ganhe|gana|gagnez|gewinne) (?:dinero|dinheiro|argent|geld)\b|\binversion (?:segura|garantizada)\b/u, 2, 'financial_scam'),
];

// ---- abuse and hate --------------------------------------------------------------

/** Insults and profanity (folded, de-leeted text). */
export const INSULT_PATTERN = /\b(?:idiots?|moron(?:s|ic)?|stupid|dumb(?:ass)?|clowns?|losers?|pathetic|scum(?:bags?)?|jerks?|imbeciles?|cretins?|retard(?:s|ed)?|dickheads?|assholes?|a\*+holes?|bastards?|bitch(?:es)?|b\*+tch(?:es)?|dipshits?|douche(?:bags?)?|pigs|muppets?|braindead|brain-dead|worthless|trash people|garbage people|clowns|fools|incompetent|halfwits?|lowlifes?|idiotas?|imbeciles?|estupid[oa]s?|inutiles?|payasos?|pendejos?|sinverguenzas?|cabron(?:es)?|gilipollas|tontos?|subnormales?|dummkopf|dummkopfe|vollidiot(?:en)?|idioten|arschloch|arschlocher|wichser|penner|versager|trottel|spinner|connards?|connasses?|abrutis?|debiles?|salauds?|bouffons?|bande de cons|otarios?|burros?|palhacos?|babacas?|canalhas?|imbecis|trouxas?)\b/u;

/** Strong profanity aimed at someone, threats, wishes of harm. */
export const ABUSE_RULES: readonly Rule[] = [
	r(/\b(?:fuck|f\*+k|f\*+ck|fck|fk|screw) (?:you|u|off|ya|this company|your company|y'?all)\b/u, 3, 'profanity_at_person'),
	r(/\b(?:stfu|gtfo|kys|kill yourself|go die|drop dead)\b/u, 3, 'abuse_phrase'),
	r(/\bshut (?:up|your (?:mouth|trap))\b|\bshut it down\b/u, 1.5, 'abuse_phrase'),
	r(/\bgo to hell\b|\brot in hell\b|\bpiece of (?:shit|sh\*t|crap|garbage|trash)\b|\beat (?:shit|sh\*t|dirt|a dick)\b|\bf\*+ (?:you|off|u)\b|\b(?:ugly|fat|disgusting) as (?:hell|fuck|f\*+)\b/u, 3, 'abuse_phrase'),
	r(/\b(?:i|we)(?:'ll| will| am going to|'m going to|'m gonna| gonna) (?:find|hurt|kill|get|beat|destroy|end) (?:you|u|ya|your)\b/u, 3.5, 'threat'),
	r(/\b(?:watch your back|you(?:'ll| will) (?:regret|pay for) (?:this|it)|make you (?:regret|pay)|hope (?:you|u|ur|your \w+) (?:die|burns?|rot|go bankrupt and die)|(?:find|know) (?:out )?where (?:you|your \w+(?: \w+)?) (?:live|lives))\b/u, 3, 'threat'),
	r(/\b(?:burn|blow up) (?:your|the|this) (?:store|shop|office|place|building)\b/u, 3, 'threat'),
	r(/\b(?:vete a la mierda|hijos? de puta|que te jodan|chinga tu)\b/u, 3, 'profanity_at_person'),
	r(/\b(?:halt (?:die|deine) fresse|fick dich|verpiss dich|leck mich)\b/u, 3, 'profanity_at_person'),
	r(/\b(?:ta gueule|va te faire (?:foutre|voir)|ferme ta gueule|nique ta)\b/u, 3, 'profanity_at_person'),
	r(/\b(?:vai se foder|vai tomar no cu|vai a merda|cala a boca|filhos? da puta)\b/u, 3, 'profanity_at_person'),
	r(/\b(?:callate|cierra la boca|ferme-la|la ferme|halt's maul|halt den mund)\b/u, 1.5, 'abuse_phrase'),
	r(/\b(?:bunch|bande|haufen|bando|punado) (?:of |de |von )?(?:useless |incompetent )?(?:clowns|idiots|morons|losers|connards|versagern?|idioten|palhacos|idiotas|payasos|inutiles)\b/u, 2.5, 'group_insult'),
	r(/\b(?:ladrones|ladroes|betruger|voleurs|escrocs?)\b/u, 1, 'accusation'),
	r(/🤬|🖕/u, 1, 'abusive_emoji'),
];

/** Second person or a person/group as the target of an insult. */
export const TARGET_PATTERN = /\b(?:guy|girl|man|woman|model|lady|dude|person|intern|he|she|him|her|you|u|ur|your|you're|youre|y'?all|ya|whoever|people|guys|staff|admins?|owners?|ceo|marketing team|team|company|son|sois|eres|ustedes|du|ihr|seid|bist|euch|tu|t'es|vous|etes|voce|voces|vcs|sao|voces sao|este tipo)\b/u;

/**
 * Dehumanising, exclusionary or eliminationist phrasing about a group.
 * Group words stay generic on purpose (people, kind, immigrants …).
 */
export const HATE_RULES: readonly Rule[] = [
	r(/\byour kind\b|\b(?:you|those|these|their) people (?:are|don't belong|should)\b/u, 2, 'group_othering'),
	r(/\bgo back (?:to )?(?:where you came from|to your (?:own )?country|home to your|to africa|to mexico|to your land)\b/u, 3, 'exclusion'),
	r(/\b(?:vermin|subhumans?|sub-humans?|untermenschen?|ungeziefer|vermine|sous-hommes?|alimanas|infrahumanos?|sub-humanos?|vermes)\b/u, 3, 'dehumanising'),
	r(/\b(?:are|r|is|sind|son|sont|sao) (?:just )?(?:animals|rats|cockroaches|parasites|a (?:plague|disease|virus|cancer)|ratten|parasiten|ratas|parasitos|cafards|parasites)\b/u, 2.5, 'dehumanising'),
	r(/\b(?:should|must|need to|deserve to) (?:be )?(?:wiped out|exterminated|eradicated|deported|gassed|shot|hanged|removed from (?:this|our) country)\b/u, 3.5, 'eliminationist'),
	r(/\b(?:don't|do not|doesn't) belong (?:here|in (?:this|our) country)\b|\bnot welcome in (?:this|our) country\b|\b(?:they|these people|those people|people like (?:that|them|him|her)) (?:shouldn't|should not) (?:exist|be allowed)\b|\bshouldn't be allowed (?:in|to be in) (?:ads|adverts|public|this country)\b|\bhaben hier nichts (?:verloren|zu suchen)\b|\baqui no (?:los|las|te) queremos\b|\bon ne veut pas de (?:toi|vous|eux) ici\b|\bnao e lugar (?:pra|para) (?:gente como|voces|eles)\b/u, 2.5, 'exclusion'),
	r(/\b(?:immigrants|foreigners|refugees|migrants|muslims|jews|christians|gays|lesbians|trans people|blacks|whites|asians|mexicans|women|auslander|fluchtlinge|inmigrantes|extranjeros|etrangers|immigres|imigrantes|estrangeiros)\b.{0,40}\b(?:out|raus|fuera|dehors|fora|are (?:ruining|destroying|invading|inferior|filthy|criminals))\b/u, 2.5, 'group_attack'),
	r(/\b(?:auslander raus|fuera (?:los )?(?:inmigrantes|extranjeros)|dehors les (?:etrangers|immigres)|fora (?:os )?(?:imigrantes|estrangeiros))\b/u, 3, 'exclusion'),
	r(/\b(?:vuelve|volve|vuelvan|vuelvanse|se vuelvan) a (?:tu|su) (?:pais|tierra)\b|\bvolta (?:pra|pro|para) (?:sua|tua) terra\b|\bgeh(?:t)? zuruck in (?:dein|euer) land\b|\bretourne(?:z)? dans (?:ton|votre) pays\b|\bvolta (?:pro|pra|para o) (?:teu|seu) (?:pais|lugar|terra)\b/u, 3, 'exclusion'),
	r(/\b(?:inferior race|master race|race traitors?|white power|great replacement|14 ?88|sieg heil|heil hitler)\b/u, 3.5, 'hate_slogan'),
	r(/\b(?:tu especie|deine sorte|ton espece|sua laia|sua raca)\b/u, 2, 'group_othering'),
	r(/\b(?:are|sind|son|sont|sao) (?:doch )?(?:not|keine|no son|pas des|nao sao) (?:humans?|menschen|humanos|humains)\b/u, 2.5, 'dehumanising'),
];

// ---- questions and purchase intent ----------------------------------------------

/** Interrogative openings, per language, on folded text. */
export const INTERROGATIVE_START = /^(?:(?:how|what|whats|what's|when|where|which|who|why|anyone|anybody|any (?:chance|plans|idea|news|update)|como|cuando|donde|cual|cuales|cuanto|cuantos|cuantas|wie|wann|wo|warum|welche|welcher|welches|wieso|est-ce|comment|quand|quel|quelle|quels|quelles|pourquoi|combien|quando|onde|qual|quais|quanto|quantos|dove|quanto|perche|waar|wanneer|hoe)\b(?! fur)|(?:do|does|did|is|are|was|were|will|would|can|could|should|has|have|may) (?:you|u|ya|i|it|this|that|they|these|those|the|we|he|she|there|anyone|anybody|your|y'?all|mine)\b|(?:hacen|hace|tienen|tiene|hay|puedo|pueden|se puede|venden|envian|gibt es|gibt's|habt ihr|hat (?:die|der|das)|kann man|kann ich|ist (?:das|die|der|es)|sind (?:die|das)|liefert ihr|avez-vous|vous (?:livrez|avez|faites|vendez)|voces|voce|vcs|tem|posso|podem|da pra|e possivel|spedite|avete|hebben jullie|heeft)\b)/u;

export const QUESTION_RULES: readonly Rule[] = [
	r(/\b(?:i wonder|wondering|let me know|does anyone know|anyone know|i'd like to know|i would like to know|quick question|question:)\b/u, 1.5, 'question_phrase'),
	r(/\b(?:me gustaria saber|alguien sabe|ich wurde gerne wissen|weiss jemand|je voudrais savoir|quelqu'un sait|gostaria de saber|alguem sabe)\b/u, 1.5, 'question_phrase'),
];

export const PURCHASE_RULES: readonly Rule[] = [
	r(/\bhow much\b|\bwhat(?:'s| is) the (?:price|cost)\b|\bprice\b|\bpricing\b|\bcost(?:s)?\b/u, 2, 'price'),
	r(/\bwhere (?:can|do|could|should) (?:i|we|you) (?:buy|get|order|purchase|find)\b|\bwhere to buy\b/u, 2.5, 'where_to_buy'),
	r(/\bhow (?:do|can|could) (?:i|we) (?:buy|order|purchase|get (?:one|it|this))\b/u, 2.5, 'how_to_buy'),
	r(/\b(?:i|we) (?:really |so )?(?:want|need|neeed|must have|gotta have) (?:one|this|it|two|three|these|that|them|a pair|the (?!refund|money)\w+ (?:one|color|colour|version))\b|\btake my money\b|\bshut up and take\b|\b(?:i'm|im|i am|i'd be|i'll be) buying\b|\bi'd buy (?:it|one|two|this)\b|\bbuy me (?:this|one|it)\b|\badd(?:ing|ed)? (?:it |this |them )?to (?:my )?cart\b/u, 2.5, 'wants_it'),
	r(/\b(?:just|already|finally) (?:ordered|bought|purchased)\b|\b(?:ordered|bought|purchased) (?:mine|one for|two|three|a pair|another one)\b/u, 1.5, 'ordered'),
	r(/\b(?:in stock|back in stock|restock(?:ing|ed)?|sold out|pre-?order|available in|still available|ship(?:ping)? cost|shipping fee|discount code|promo code|coupon|voucher code|bundle deal|\d+% off|(?:student|military|first[- ]order) discount|discount for \w+|any discounts?|on sale|payment (?:methods?|options?)|paypal|klarna|afterpay|apple pay|cheaper (?:on|at|in))\b/u, 2, 'availability_or_deal'),
	r(/\b(?:link to (?:buy|shop|order)|where'?s the link|link please|link pls)\b/u, 2, 'wants_link'),
	r(/欲しい|ほしい|買いたい|どこで買え/u, 2.5, 'purchase_ja'),
	r(/\bprecios?\b|\bcuanto (?:cuesta|vale|sale|cuestan)\b|\bdonde (?:lo |la |los |las )?(?:puedo |se puede )?compr\w*\b|\bcomo (?:lo |la )?compro\b|\blo quiero\b|\bla quiero\b|\bquiero (?:uno|una|comprar|dos|el|la)\b|\b(?:hay|tienen) stock\b/u, 2.5, 'purchase_es'),
	r(/\b(?:will|muss) ich haben\b|\bhaben will\b|\bgerade bestellt\b|\bwas kostet\b|\bpreis\b|\bwo kann (?:ich|man) (?:\w+ )?(?:kaufen|bestellen)\b|\b(?:will|mochte|brauche) (?:ich )?(?:die|den|das|eine|einen|auch eine|auch einen)\b|\b(?:bestellt|gekauft)\b|\bwieder (?:verfugbar|lieferbar)\b|\bgutschein ?code\b/u, 2.5, 'purchase_de'),
	r(/\bcombien (?:ca )?(?:coute|coutent|pour)\b|\bprix\b|\bou (?:peut-on|puis-je|est-ce qu'on peut|l')?\s?(?:acheter|commander)\b|\bje (?:le |la |les )?(?:veux|voudrais) (?:un|une|le|la|acheter|commander|deux)\b|\b(?:commande|achete) (?:le mien|la mienne|deux)\b|\bcode promo\b|\bcommandee? (?:ce matin|aujourd'hui|hier)\b|\bje viens de (?:la |le )?commander\b/u, 2.5, 'purchase_fr'),
	r(/\bquanto (?:custa|e|sai|fica)\b|\bprecos?\b|\bvalor\b|\bonde (?:eu )?(?:posso |consigo )?compr\w*\b|\bquero (?:um|uma|o meu|a minha|comprar|dois|duas)\b|\bcomo (?:faco para |faco pra )?compr\w*\b|\bja (?:comprei|encomendei|pedi o meu)\b|\bcupom\b/u, 2.5, 'purchase_pt'),
];

// ---- complaints and praise ------------------------------------------------------

export const COMPLAINT_RULES: readonly Rule[] = [
	r(/\b(?:broke|broken|ripped|torn|tore|faded|shrunk|fell apart|falls apart|falling apart|came apart|peeling|defective|damaged|stained|leaks?|leaking|snapped|came undone|came off|fell off|falling off|stopped (?:working|sticking|closing|zipping)|soaked through|pills|pilling|squeaks?|smells like|stinks|crushed|destroyed)\b/u, 2, 'product_defect'),
	r(/\b(?:never|still (?:not|hasn't|haven't|hasnt|havent|no)|hasn't|hasnt|haven't|havent|didn't|didnt|did not) (?:\w+ )?(?:arrived?|received?|come|came|shipped|delivered|got (?:it|my))\b|\bnever (?:arrived|came|showed up)\b/u, 2.5, 'not_delivered'),
	r(/\b(?:still waiting|been waiting|waiting for (?:weeks|days|months|my)|stuck (?:in|for|at)|(?:weeks|days|months) (?:late|later|and still)|late delivery|delayed|tracking (?:hasn't|has not|hasnt) (?:moved|updated)|took (?:forever|ages|\d+ (?:days|weeks|months))|wait (?:another|a whole) (?:month|week)|it's been (?:a|\d+) (?:week|month)s?)\b/u, 2, 'delay'),
	r(/\b(?:refund|money back|chargeback|charged (?:me )?(?:twice|double|again)|double charged|overcharged|cancel(?:led|ed)? my order)\b/u, 2, 'billing'),
	r(/\b(?:no(?: ?one|body) (?:answers|responds|replies|gets back|helps|tells)|no (?:answer|response|reply)|zero (?:reply|replies|response)|ignored (?:my|me)|ignores me|ignoring (?:my|me)|won't (?:answer|reply|respond)|hung up on me|told me to (?:do it|go)|where (?:is|'s) my (?:order|package|parcel|refund|money)|lost my (?:parcel|package|order)|lose my (?:parcel|package|order))\b/u, 2, 'service'),
	r(/\bwrong (?:size|item|color|colour|order|product|one)\b|\bnot as (?:pictured|described|advertised|shown)\b|\bfalse advertising\b|\bmisleading\b|\bnothing like (?:the|what|in)\b|\b(?:completely|totally) wrong\b|\binstead of\b|\bdoesn't (?:cover|fit|work|close)\b|\b(?:was|is) not delivered\b|\bnot delivered\b|\bcharged (?:me )?(?:for|the)\b|\bstill shipped\b|\bdiscount never\b/u, 2, 'wrong_item'),
	r(/\b(?:disappointed|disappointing|worst|terrible|awful|horrible|useless product|waste of money|rip-?off|ripoff|overpriced|poor quality|cheap quality|low quality|cheaply made|don't buy|do not buy|avoid this|never again|never buying|regret (?:buying|ordering)|letdown|let down|ridiculous|unacceptable|come on|no thanks|quality went down)\b/u, 1.5, 'negative_experience'),
	r(/\b(?:scam(?:mers)?|fraud|frauds|thieves|stole my money)\b/u, 1, 'accusation'),
	r(/\b(?:no (?:llego|ha llegado)|todavia no|sigo esperando|llevo \w+ (?:semanas|dias|meses)|(?:esta |vino |llego )?rot[oa]|reembolso|devolucion|pesim[oa]|mala calidad|decepcionad[oa]|nadie (?:responde|contesta)|me llego (?:una|un|otra|otro|mal)|equivocad[oa]|estafa|no sirve|se rompio|se despego|me cobraron|no me devuelven|que decepcion|no llega)\b/u, 2, 'complaint_es'),
	r(/\b(?:kaputt|beschadigt|ruckerstattung|erstattung|immer noch nicht|warte seit|nicht angekommen|keine antwort|enttauscht|schlechte qualitat|katastrophe|reklamation|falsche grosse|reagiert nicht|niemand antwortet|geld zuruck|abzocke|nie wieder|mangelhaft|frechheit|losen sich|falsch geliefert|geld (?:ist )?immer noch nicht)\b/u, 2, 'complaint_de'),
	r(/\b(?:toujours pas|jamais recu|pas recu|remboursement|casse|cassee|abime|abimee|decu|decue|arnaque|aucune reponse|personne ne repond|en retard|mauvaise qualite|pas conforme|dechire|dechiree|plus jamais|ne repond pas|a deteint|de retard|aucune excuse|facture la livraison)\b/u, 2, 'complaint_fr'),
	r(/\b(?:nao chegou|ainda nao|ainda esperando|estou esperando|quebrad[oa]|quebrou|reembolso|devolucao|pessim[oa]|decepcionad[oa]|golpe|ninguem responde|atrasad[oa]|veio errad[oa]|qualidade ruim|nunca mais|rasgou|descosturou)\b/u, 2, 'complaint_pt'),
];

/** Sarcasm markers: praise words in a complaint turn negative. */
export const SARCASM_RULES: readonly Rule[] = [
	r(/\b(?:oh|yeah|wow),? (?:great|sure|right|thanks|perfect|amazing|wonderful|fantastic|nice)\b/u, 1.5, 'sarcasm_marker'),
	r(/\bthanks for nothing\b|\bjust what i needed\b|\byeah right\b|\bsure,? jan\b|\bslow clap\b/u, 2, 'sarcasm_marker'),
	r(/\b(?:love|loving|great|nice|amazing) (?:how|that|waiting|paying)\b/u, 1, 'sarcasm_marker'),
	// Scare quotes stand between spaces or punctuation; JSON keys and values do not.
	r(/(?:^|\s)"[^"]{2,40}"(?=[\s.,!?]|$)|(?:^|\s)'[^']{2,30}'(?=[\s.,!?]|$)|🙄|🙃|\/s\b/u, 1, 'sarcasm_marker'),
	r(/^(?:fantastic|great job|great|wonderful|brilliant|perfect|amazing|bravo|toll|genial|super|que maravilha|que bien),/u, 1.5, 'sarcasm_marker'),
	r(/\bnothing says \w+ like\b|\btruly world class\b|\bexactly what i paid for\b|\b\w+ my foot\b|\bwould (?:wait|pay|buy) (?:another|again)\b/u, 2, 'sarcasm_marker'),
	r(/\b(?:best|great|amazing|excellent|wonderful) customer service (?:ever|of all time)\b/u, 1, 'sarcasm_marker'),
	r(/\b(?:que bien|genial|super|toll|bravo|top|otimo),? (?:otra vez|wieder|encore|de novo|mal|nochmal)\b|\bclaro que si\b|\bmerci pour rien\b|\bdanke fur nichts\b|\bvaleu por nada\b|\bgracias por nada\b/u, 2, 'sarcasm_marker'),
];

/** Praise words in the supported languages (AFINN covers English words; these add domain terms and other languages). */
export const PRAISE_RULES: readonly Rule[] = [
	r(/\b(?:love (?:it|mine|this|these|them|my|the)|loving (?:it|mine|this|my)|obsessed|best (?:\w+ )?(?:ever|i(?:'ve| have) (?:ever )?(?:owned|had|bought))|highly recommend|recommend (?:it|this|them)|worth every (?:penny|cent)|fits perfectly|so (?:comfy|comfortable|cozy|warm|soft)|great quality|amazing quality|(?:10|ten)\/10|five stars|5 stars|well made|game changer|favou?rite|comfiest|cosiest|warmest|(?:going|still) strong|like new|as (?:warm|good|comfy|light) as (?:they say|advertised|promised)|survived everything|held up|holds up|never misses|go-to|bone dry|kept me (?:dry|warm)|stayed (?:dry|warm)|very happy|so happy|respect|thank you|gorgeous|stunning|impeccable|beautiful|adorable|unreal for the price|best purchase)\b/u, 2, 'praise_phrase'),
	r(/\b(?:me encanta(?:n)?|encantad[oa]|increible|hermos[oa]|precios[oa]|genial|excelente|lo mejor|recomiendo|perfect[oa]|bonit[oa]|buenisim[oa]|calidad top|muy buena calidad|la mejor|me encanto|como nuev[oa]|adoro|bellissim[oa])\b/u, 2, 'praise_es'),
	r(/\b(?:super (?:qualitat|teil|jacke|sache)|toll|klasse|wunderschon|liebe (?:sie|es|ihn|die|meine)|beste|empfehle|empfehlenswert|sehr zufrieden|perfekt|genial|top qualitat|mega|richtig gut|der hammer|wie neu|sieht (?:richtig |sehr )?gut aus|die ich je hatte|top)\b/u, 2, 'praise_de'),
	r(/\b(?:j'adore|adore|magnifique|superbe|trop beau|trop belle|genial|parfait|parfaite|je recommande|recommande|top qualite|bravo|sublime|canon|au top|tres content|tres contente|impeccable|comme neuve?|livraison rapide)\b/u, 2, 'praise_fr'),
	r(/\b(?:amei|adorei|amo (?:essa|esse|muito)|lind[oa]|maravilhos[oa]|perfeit[oa]|recomendo|qualidade (?:top|otima|incrivel)|incrivel|sensacional|show de bola|top demais|otim[oa]|muito bom|muito boa|melhor \w+ que (?:ja|eu ja) tive|como nov[oa])\b/u, 2, 'praise_pt'),
	r(/かっこいい|素敵|最高|かわいい|可愛い|нравится|отлично|классн|круто|супер/u, 2, 'praise_other'),
];

/** Domain sentiment outside AFINN (other languages, product words), on folded text. */
export const SENTIMENT_WORDS: Record<string, number> = {
	// es
	encanta: 3, increible: 3, hermoso: 3, hermosa: 3, precioso: 3, preciosa: 3, genial: 3, excelente: 3, mejor: 2, recomiendo: 2, perfecto: 3, perfecta: 3, bonito: 2, bonita: 2, gracias: 1,
	pesimo: -3, pesima: -3, malo: -2, mala: -2, horrible: -3, roto: -2, rota: -2, estafa: -3, decepcionado: -2, decepcionada: -2, nunca: -1, ladrones: -3, inutiles: -3, basura: -3, peor: -3,
	// de
	toll: 3, klasse: 3, wunderschon: 3, liebe: 2, beste: 3, empfehle: 2, zufrieden: 2, perfekt: 3, danke: 1, super: 2, schlecht: -2, schlechte: -2, kaputt: -2, beschadigt: -2, enttauscht: -2, katastrophe: -3, abzocke: -3, mangelhaft: -2, nie: -1,
	// fr
	adore: 3, magnifique: 3, superbe: 3, beau: 2, belle: 2, parfait: 3, parfaite: 3, recommande: 2, merci: 1, bravo: 2, nul: -2, nulle: -2, decu: -2, decue: -2, arnaque: -3, casse: -2, abime: -2, honte: -2, pire: -3,
	// pt
	amei: 3, adorei: 3, lindo: 3, linda: 3, maravilhoso: 3, maravilhosa: 3, perfeito: 3, perfeita: 3, recomendo: 2, otimo: 3, otima: 3, obrigado: 1, obrigada: 1, pessimo: -3, pessima: -3, ruim: -2, quebrado: -2, quebrou: -2, golpe: -3, lixo: -3, pior: -3,
	// product words AFINN lacks
	comfy: 2, cozy: 2, gorgeous: 3, stunning: 3, comfiest: 3, impeccable: 3, flawless: 3, durable: 2, top: 2, letdown: -2, ridiculous: -2, crushed: -2, soaked: -1, undone: -1, snapped: -2, frechheit: -3, sturdy: 2, flimsy: -2, refund: -1, defective: -3, damaged: -2, scratchy: -2, itchy: -2, overpriced: -2, ripoff: -3, delayed: -1,
};

/** Negators that flip the next sentiment word (folded). */
export const NEGATORS: ReadonlySet<string> = new Set(['not', "don't", 'dont', 'never', 'no', 'nicht', 'kein', 'keine', 'pas', 'jamais', 'nao', 'nunca', 'ni', "isn't", 'isnt', "wasn't", 'wasnt', "doesn't", 'doesnt', "won't", 'wont']);

/** Emoji sentiment (the `sentiment` package scores only whitespace-separated emoji from its own list). */
export const EMOJI_SENTIMENT: Record<string, number> = {
	'😍': 3, '🥰': 3, '❤️': 3, '❤': 3, '💕': 3, '💖': 3, '💯': 2, '🔥': 2, '👏': 2, '🙌': 2, '👍': 2, '😻': 3, '✨': 1, '🤩': 3, '😊': 2, '😁': 2, '🥳': 2, '👌': 2, '💪': 1, '🙏': 1, '😀': 2, '😃': 2, '😄': 2,
	'😡': -3, '🤬': -4, '😠': -3, '👎': -2, '😤': -2, '😞': -2, '😢': -2, '😭': -1, '🙄': -2, '💩': -3, '🤮': -3, '😒': -2, '🖕': -4, '😩': -2, '😫': -2,
};
