/**
 * A small thesaurus of English ad-copy vocabulary for the offline embedder:
 * each group is one concept, every phrase in it maps to that concept.
 * Phrases are written plainly and normalized + stemmed at load, so "free
 * delivery", "Ships free" and "free shipping" all become one feature.
 *
 * It is hand-written from common direct-response vocabulary (offers,
 * delivery, returns, urgency, quality claims, product categories), not
 * derived from any test set. It does not make the offline embedder
 * understand language: a paraphrase whose words are outside these groups
 * is seen only through the words it shares.
 */
export const AD_COPY_THESAURUS: ReadonlyArray<readonly [concept: string, phrases: readonly string[]]> = [
	['affordable', ['cheap', 'affordable', 'inexpensive', 'low cost', 'low-cost', 'budget-friendly', 'budget friendly', 'wallet-friendly', 'bargain', 'great value', 'good value', 'fraction of the cost', 'fraction of the price']],
	['buy', ['buy', 'purchase', 'order', 'shop', 'get yours', 'grab', 'pick up', 'snag', 'add to cart', 'checkout', 'check out']],
	['fast', ['fast', 'quick', 'rapid', 'speedy', 'swift', 'express', 'in minutes', 'in no time', 'instantly', 'instant', 'same-day', 'same day', 'next-day', 'next day', 'overnight']],
	['free_shipping', ['free shipping', 'free delivery', 'ships free', 'ship free', 'shipping is free', 'delivery is free', 'delivered free', 'free ship', 'no shipping fee', 'no delivery fee', 'shipping on us', 'delivery on us']],
	['shipping', ['shipping', 'delivery', 'deliver', 'ship', 'dispatch', 'arrive', 'doorstep', 'to your door']],
	['returns', ['return', 'send back', 'send it back', 'refund', 'money back', 'money-back', 'exchange']],
	['guarantee', ['guarantee', 'warranty', 'promise', 'risk-free', 'risk free', 'no risk']],
	['discount', ['discount', 'sale', 'deal', 'offer', 'savings', 'save', 'off', 'markdown', 'promo', 'promotion', 'reduced', 'coupon', 'code', 'percent off']],
	['new', ['new', 'latest', 'just launched', 'just dropped', 'brand new', 'brand-new', 'newest', 'debut', 'introducing', 'meet']],
	['warm', ['warm', 'cozy', 'cosy', 'toasty', 'insulated', 'heat', 'warmth']],
	['jacket', ['jacket', 'coat', 'parka', 'outerwear', 'layer', 'shell']],
	['comfortable', ['comfortable', 'comfy', 'comfort', 'soft', 'plush', 'cushioned', 'cushioning']],
	['durable', ['durable', 'tough', 'rugged', 'built to last', 'long-lasting', 'long lasting', 'sturdy', 'hard-wearing', 'lasts for years', 'heavy-duty', 'heavy duty']],
	['easy', ['easy', 'simple', 'effortless', 'hassle-free', 'hassle free', 'no hassle', 'painless', 'easily', 'simply', 'no fuss', 'fuss-free']],
	['team', ['team', 'staff', 'crew', 'colleagues', 'employees', 'workforce']],
	['customer', ['customer', 'client', 'shopper', 'buyer', 'people', 'users']],
	['start', ['start', 'begin', 'get started', 'kick off', 'kickstart', 'launch']],
	['trial', ['free trial', 'try free', 'try it free', 'try for free', 'trial', 'try', 'test drive', 'demo']],
	['now', ['today', 'now', 'right now', 'tonight', 'this week', 'this weekend']],
	['urgency', ['limited time', 'ends soon', 'last chance', 'while supplies last', 'hurry', 'dont miss', 'do not miss', 'before its gone', 'before they are gone', 'only a few left', 'final hours', 'ends tonight', 'ends sunday', 'ends friday', 'ends midnight']],
	['save_time', ['save time', 'time-saving', 'time saving', 'hours back', 'hours a week', 'spend less time']],
	['sustainable', ['sustainable', 'eco-friendly', 'eco friendly', 'eco', 'recycled', 'planet-friendly', 'environmentally friendly', 'low-impact', 'carbon neutral', 'upcycled']],
	['healthy', ['healthy', 'nutritious', 'wholesome', 'good for you', 'nourishing', 'balanced']],
	['delicious', ['delicious', 'tasty', 'yummy', 'flavorful', 'flavourful', 'mouthwatering', 'mouth-watering', 'taste', 'flavor', 'flavour']],
	['meal', ['meal', 'dinner', 'lunch', 'food', 'dish', 'recipe', 'supper']],
	['software', ['app', 'software', 'platform', 'tool', 'solution']],
	['automate', ['automate', 'automation', 'automatic', 'automatically', 'autopilot', 'on autopilot']],
	['report', ['report', 'dashboard', 'analytics', 'insights', 'metrics']],
	['secure', ['secure', 'safe', 'protected', 'encrypted', 'security', 'privacy']],
	['price', ['price', 'cost', 'pricing', 'fee', 'fees']],
	['best', ['best', 'top', 'leading', 'number one', 'best-selling', 'bestselling', 'award-winning', 'top-rated', 'top rated']],
	['love', ['love', 'adore', 'enjoy', 'loved', 'favorite', 'favourite']],
	['beautiful', ['beautiful', 'stunning', 'gorgeous', 'elegant', 'stylish', 'chic', 'sleek']],
	['skin', ['skin', 'complexion']],
	['sleep', ['sleep', 'rest', 'slumber']],
	['workout', ['workout', 'exercise', 'training', 'fitness', 'train', 'sweat']],
	['learn', ['learn', 'discover', 'find out', 'explore', 'see how', 'see why', 'learn more']],
	['improve', ['upgrade', 'improve', 'boost', 'level up', 'enhance', 'elevate', 'increase', 'grow']],
	['big', ['big', 'large', 'huge', 'massive']],
	['small', ['small', 'tiny', 'compact', 'mini', 'pocket-sized', 'pocket sized']],
	['lightweight', ['lightweight', 'light', 'featherlight', 'featherweight', 'ultralight']],
	['waterproof', ['waterproof', 'water-resistant', 'water resistant', 'rainproof', 'weatherproof', 'storm-proof']],
	['kids', ['kids', 'children', 'little ones', 'child', 'toddler']],
	['gift', ['gift', 'present', 'gifting']],
	['personalized', ['customize', 'personalize', 'personalized', 'personalised', 'tailor', 'tailored', 'custom', 'made for you', 'bespoke']],
	['book', ['book', 'schedule', 'reserve', 'appointment']],
	['contact', ['call', 'contact', 'reach out', 'get in touch', 'talk to']],
	['expert', ['expert', 'pro', 'professional', 'specialist', 'experts']],
	['minute', ['minute', 'minutes', 'min', 'mins']],
	['subscription', ['plan', 'subscription', 'membership', 'subscribe', 'member']],
	['no_commitment', ['cancel anytime', 'cancel any time', 'no commitment', 'no contract', 'no strings attached', 'pause anytime', 'skip a week']],
	['quality', ['quality', 'premium', 'high-quality', 'high quality', 'well-made', 'well made', 'crafted', 'handcrafted', 'handmade']],
	['money', ['money', 'cash', 'dollars', 'bucks']],
	['everyday', ['everyday', 'daily', 'every day', 'all day']],
	['home', ['home', 'house', 'apartment']],
];

/** Concepts so common in ads that they say little about a variant; the embedder down-weights them. */
export const GENERIC_CONCEPTS: ReadonlySet<string> = new Set(['buy', 'now', 'learn', 'new', 'customer', 'start', 'best', 'love']);
