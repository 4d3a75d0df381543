/**
 * A thesaurus of English ad-copy vocabulary for the offline embedder: each
 * group is one concept, every phrase in it maps to that concept. Phrases are
 * written plainly and normalized + stemmed at load (after the same number
 * reading as the copy, so "24/7" and "around the clock" meet), so "free
 * delivery", "Ships free" and "free shipping" all become one feature.
 *
 * Written from common direct-response vocabulary by vertical (retail and
 * apparel, beauty, food, home, electronics, software, finance, insurance,
 * travel, education, fitness, services, charities, games) and from everyday
 * synonyms of the verbs and adjectives ads use; not derived from any test
 * pair. Groups hold words a reader takes as the same claim in an ad
 * ("affordable" = "cheap"), not words of one topic ("shoe" ≠ "sock"), so
 * new angles on one product do not merge. A paraphrase whose words are
 * outside these groups is seen only through the words it shares.
 */
export const AD_COPY_THESAURUS: ReadonlyArray<readonly [concept: string, phrases: readonly string[]]> = [
	// Offers, prices, money
	['affordable', ['cheap', 'cheapest', 'affordable', 'afford', 'inexpensive', 'low cost', 'low-cost', 'budget-friendly', 'budget friendly', 'wallet-friendly', 'bargain', 'great value', 'good value', 'fraction of the cost', 'fraction of the price', 'lowest price', 'lowest prices', 'best price', 'best prices', 'low price', 'low prices', 'fair price', 'great price', 'less money', 'pay less', 'lowest fares', 'cheapest fares', 'lowest fare', 'without the markup', 'minus the markup', 'no markup']],
	['buy', ['buy', 'purchase', 'order', 'shop', 'get yours', 'grab', 'pick up', 'snag', 'add to cart', 'checkout', 'check out', 'shopping']],
	['free', ['free', 'at no cost', 'no cost', 'complimentary', 'no charge', 'no extra cost', 'at no extra cost', 'free of charge', 'gratis']],
	['free_shipping', ['free shipping', 'free delivery', 'ships free', 'ship free', 'shipping is free', 'delivery is free', 'delivered free', 'free ship', 'no shipping fee', 'no delivery fee', 'ship for free', 'ship it free', 'free postage', 'postage paid', 'delivery fee']],
	['shipping', ['shipping', 'delivery', 'deliver', 'delivered', 'ship', 'dispatch', 'arrive', 'arrives', 'doorstep', 'to your door', 'at your door', 'your door', 'right to your door', 'brought', 'bring to', 'mailed']],
	['returns', ['return', 'returns', 'send back', 'send it back', 'send them back', 'refund', 'refunded', 'money back', 'money-back', 'exchange', 'full refund', 'get your money back', 'reimburse']],
	['guarantee', ['guarantee', 'guaranteed', 'warranty', 'promise', 'risk-free', 'risk free', 'no risk', 'no questions asked']],
	['discount', ['discount', 'discounted', 'sale', 'deal', 'deals', 'offer', 'savings', 'save', 'off', 'markdown', 'marked down', 'promo', 'promotion', 'reduced', 'coupon', 'percent off', 'knock off', 'take off', 'price cut', 'slashed', 'clearance', 'down from', 'now only']],
	['price', ['price', 'prices', 'cost', 'costs', 'pricing', 'fee', 'fees', 'tuition', 'fare', 'fares', 'priced', 'pay', 'paying', 'spend']],
	['starting_at', ['from', 'as low as', 'only', 'just']],
	['money', ['money', 'cash', 'dollar', 'dollars', 'bucks']],
	['bonus', ['bonus', 'reward', 'rewards', 'points', 'perk', 'perks', 'cash back', 'cashback']],
	['gift_card', ['gift card', 'store credit', 'credit']],
	['installments', ['payment plan', 'payment plans', 'spread the cost', 'spread the payments', 'pay over time', 'pay monthly', 'installments', 'instalments', 'financing', 'pay in 4', 'buy now pay later']],
	['more_than', ['morethan', 'more', 'upwards of', 'in excess of', 'plus', 'beyond', 'above']],
	['up_to', ['upto', 'up', 'as many as', 'as much as', 'a maximum of', 'at most']],
	['less_than', ['lessthan', 'within', 'no more than', 'in under', 'in less than', 'inside']],
	['about', ['about', 'around', 'roughly', 'approximately', 'almost']],
	['many', ['thousands', 'hundreds', 'millions', 'loads', 'countless', 'plenty', 'lots']],
	['no', ['no', 'not', 'zero', 'without', 'none', 'never any', 'nothing']],
	['no_fees', ['no fees', 'no hidden fees', 'no fee', 'fee-free', 'no hidden charges', 'no surprise fees', 'no surprises', 'no extra charges', 'no annual fee', 'no monthly fee', 'no monthly fees']],
	['no_commitment', ['cancel anytime', 'cancel any time', 'cancel whenever', 'cancel at any time', 'no commitment', 'no contract', 'no contracts', 'no strings attached', 'no strings', 'pause anytime', 'skip a week', 'pause or cancel', 'skip or cancel', 'no lock-in', 'no lock in', 'cancel whenever you want', 'cancel when you want']],
	['no_card', ['no credit card', 'no card', 'no credit card required', 'no card needed', 'without a card', 'without entering a card', 'no card required', 'without a credit card']],
	['subscription', ['plan', 'plans', 'subscription', 'membership', 'subscribe', 'subscribed', 'member', 'members', 'subscriber', 'join', 'sign up', 'signup', 'enroll', 'enrol', 'register', 'become a member']],
	['trial', ['free trial', 'try free', 'try it free', 'try for free', 'try them free', 'trial', 'try', 'test drive', 'demo', 'test', 'tested at home', 'try on']],
	['bundle', ['bundle', 'combine', 'package', 'combo', 'set']],
	['first_order', ['first order', 'first box', 'first purchase', 'first shop', 'first month', 'first bag', 'new customers', 'welcome offer']],
	['matched', ['matched', 'doubled', 'double your impact', 'double your gift']],
	// Time, urgency
	['now', ['today', 'now', 'right now', 'tonight', 'this week', 'right away', 'immediately', 'at once', 'straight away', 'asap']],
	['urgency', ['limited time', 'ends soon', 'last chance', 'while supplies last', 'hurry', 'before its gone', 'before they are gone', 'only a few left', 'few left', 'final hours', 'ends tonight', 'ends sunday', 'ends friday', 'ends midnight', 'almost sold out', 'selling out', 'sold out', 'running out', 'limited', 'limited stock', 'few seats left', 'seats left', 'act now', 'until midnight', 'before midnight']],
	['fast', ['fast', 'faster', 'quick', 'quickly', 'quicker', 'rapid', 'rapidly', 'speedy', 'swift', 'express', 'in minutes', 'in no time', 'instantly', 'instant', 'same-day', 'same day', 'next-day', 'next day', 'overnight', 'lightning-fast', 'lightning fast', 'blazing fast', 'blazing-fast', 'sooner', 'soon', 'early', 'earlier', 'in a flash', 'in seconds', 'speed', 'speedy', 'promptly', 'in a second', 'in a few minutes', 'within minutes']],
	['always', ['always', 'anytime', 'around the clock', 'day or night', 'day and night', 'any time', 'anytime', 'whenever you want', 'whenever', 'all day', 'all night', 'all hours', 'on your terms']],
	['again', ['again']],
	['back_in_stock', ['back in stock', 'restocked', 'available again', 'finally back', 'in stock again']],
	['forever', ['forever', 'for life', 'lifetime', 'permanently', 'a lifetime', 'never expire', 'never expires', 'doesnt expire', 'dont expire', 'for years']],
	['launch', ['new', 'latest', 'just launched', 'just dropped', 'brand new', 'brand-new', 'newest', 'debut', 'introducing', 'meet', 'here', 'is here', 'are here', 'now available', 'out now', 'unveil']],
	['season', ['season', 'seasonal', 'in-season', 'in season']],
	['weekend', ['weekend', 'saturday and sunday']],
	// Quality and claims
	['best', ['best', 'top', 'leading', 'number one', 'best-selling', 'bestselling', 'bestseller', 'best seller', 'award-winning', 'top-rated', 'top rated', 'most popular', 'favorite', 'favourite', 'most loved', 'everyone buys', 'everyone loves', 'everyone is playing', 'most talked-about', 'highest rated', 'five-star', '5-star']],
	['quality', ['quality', 'premium', 'high-quality', 'high quality', 'well-made', 'well made', 'crafted', 'finest', 'fine', 'professional-grade']],
	['handmade', ['handmade', 'made by hand', 'hand-made', 'handcrafted', 'hand crafted', 'hand-sewn', 'hand sewn']],
	['durable', ['durable', 'tough', 'rugged', 'built to last', 'long-lasting', 'long lasting', 'lasts', 'sturdy', 'hard-wearing', 'lasts for years', 'heavy-duty', 'heavy duty', 'stays put', 'holds up', 'last a lifetime']],
	['easy', ['easy', 'easiest', 'simple', 'simpler', 'simplest', 'simply', 'effortless', 'effortlessly', 'hassle-free', 'hassle free', 'no hassle', 'painless', 'easily', 'no fuss', 'fuss-free', 'straightforward', 'made simple', 'made easy', 'a breeze', 'without effort', 'with no effort', 'without breaking a sweat', 'one tap', 'one click', 'in a tap', 'in one tap', 'in a click']],
	['comfortable', ['comfortable', 'comfy', 'comfiest', 'comfort', 'soft', 'softest', 'plush', 'cushioned', 'cushioning', 'cozy feel', 'gentle', 'mild', 'kind', 'calm', 'soothing']],
	['sensitive', ['sensitive', 'delicate', 'nervous', 'anxious', 'fragile', 'reactive']],
	['fresh', ['fresh', 'freshly', 'fresher', 'farm-fresh', 'roasted fresh', 'odor-resistant', 'odour-resistant', 'smell', 'smelling']],
	['natural', ['natural', 'organic', 'all-natural', 'real', 'genuine', 'authentic', 'pure', 'clean ingredients', 'non-gmo', 'non gmo']],
	['sustainable', ['sustainable', 'sustainably', 'eco-friendly', 'eco friendly', 'eco', 'recycled', 'planet-friendly', 'environmentally friendly', 'low-impact', 'carbon neutral', 'upcycled', 'compostable', 'biodegradable']],
	['healthy', ['healthy', 'nutritious', 'wholesome', 'nourishing', 'balanced', 'health']],
	['delicious', ['delicious', 'tasty', 'yummy', 'flavorful', 'flavourful', 'mouthwatering', 'mouth-watering', 'taste', 'flavor', 'flavour', 'rich', 'smooth', 'mellow', 'full-bodied', 'full bodied']],
	['bitter', ['bitter', 'harsh', 'sour', 'acidic', 'burnt']],
	['beautiful', ['beautiful', 'stunning', 'gorgeous', 'elegant', 'stylish', 'chic', 'sleek', 'good-looking', 'good looking', 'pretty', 'handsome', 'looks great', 'looks good']],
	['powerful', ['powerful', 'power', 'mighty', 'intense', 'bold', 'vibrant', 'vivid', 'rich color', 'deep']],
	['clear', ['clear', 'crystal-clear', 'crystal clear', 'crisp', 'sharp', 'super clear', 'clarity', 'every detail', 'detail']],
	['quiet', ['quiet', 'silent', 'noiseless', 'whisper-quiet', 'hushed', 'noise-cancelling', 'noise cancelling']],
	['loud', ['noisy', 'loud', 'busy', 'crowded']],
	['lightweight', ['lightweight', 'light', 'lightest', 'lighter', 'featherlight', 'featherweight', 'ultralight', 'weighs just', 'weighs only', 'barely weighs']],
	['big', ['big', 'large', 'huge', 'massive', 'bigger', 'biggest', 'largest', 'giant', 'extra-large']],
	['small', ['small', 'tiny', 'compact', 'mini', 'pocket-sized', 'pocket sized', 'smaller', 'less space', 'smaller space']],
	['flexible', ['flexible', 'stretch', 'stretchy', 'bends', 'bend', 'flex', 'adapt', 'adapts', 'adjust', 'adjusts', 'adaptive', 'adjustable']],
	['waterproof', ['waterproof', 'water-resistant', 'water resistant', 'rainproof', 'weatherproof', 'storm-proof']],
	['stain_resistant', ['stain-resistant', 'stain resistant', 'spill-proof', 'spill proof', 'wipes clean', 'wipe clean', 'easy to clean', 'easy-to-clean', 'machine washable', 'washable']],
	['grip', ['grip', 'grippy', 'sticky', 'traction', 'holds', 'non-slip', 'nonslip', 'slip-resistant']],
	['muddy', ['muddy', 'sloppy', 'wet', 'slippery', 'mud']],
	['warm', ['warm', 'warmer', 'warmest', 'cozy', 'cosy', 'toasty', 'insulated', 'heat', 'warmth', 'heated']],
	['cold', ['cold', 'coldest', 'freezing', 'frigid', 'icy', 'chilly', 'winter', 'below zero', 'subzero', 'sub-zero']],
	['cool', ['cool', 'cooler', 'coolest', 'cooling', 'breathable', 'sleep cool', 'chill']],
	['bright', ['bright', 'brighter', 'brightest', 'brighten', 'brightens', 'glow', 'glowing', 'radiant', 'luminous', 'lighten', 'lightens', 'dark spots', 'even tone', 'evens', 'even out', 'skin tone']],
	['moisturizing', ['hydrating', 'hydrate', 'moisturizing', 'moisturising', 'moisturized', 'moisturised', 'moisture', 'never dry', 'not dry', 'dry']],
	['personalized', ['customize', 'customise', 'personalize', 'personalise', 'personalized', 'personalised', 'tailor', 'tailored', 'custom', 'custom-made', 'made for you', 'bespoke', 'your own', 'made to measure', 'for your']],
	['safe', ['secure', 'securely', 'safe', 'safely', 'protected', 'protect', 'protection', 'encrypted', 'encryption', 'security', 'privacy', 'private', 'privately', 'fdic']],
	['certified', ['licensed', 'certified', 'accredited', 'qualified', 'verified', 'audited']],
	['expert', ['expert', 'experts', 'pro', 'pros', 'professional', 'professionals', 'specialist', 'specialists', 'industry experts', 'from the industry', 'veterinarian', 'veterinarians', 'vet', 'vets', 'dermatologist', 'dermatologists', 'doctor', 'doctors', 'chef', 'chefs']],
	['designed', ['designed', 'design', 'created', 'create', 'developed', 'formulated', 'engineered', 'made', 'devised']],
	['trusted', ['trusted', 'trust', 'relied on', 'rely on', 'rely', 'depend on', 'count on', 'used by']],
	['confident', ['confident', 'confidence', 'with confidence', 'confidently', 'self-assured', 'proud']],
	['perfect', ['perfect', 'ideal', 'right', 'just right', 'exactly right', 'flawless', 'properly', 'correct', 'correctly']],
	['worry', ['worry', 'stress', 'stressed', 'anxiety', 'fret', 'headache', 'pain', 'hassle']],
	['local', ['local', 'nearby', 'near you', 'in your area', 'from your area', 'neighborhood', 'neighbourhood', 'locally']],
	['worldwide', ['worldwide', 'around the world', 'all over the world', 'globally', 'global', 'across the globe', 'international', 'internationally', 'countries']],
	['everyone', ['everyone', 'everybody', 'anyone', 'anybody']],
	['every', ['every', 'each', 'all', 'any', 'whole']],
	// Actions
	['start', ['start', 'starts', 'begin', 'get started', 'kick off', 'kickstart', 'open', 'set up', 'setup', 'up and running', 'running', 'onboard', 'onboarding', 'get going']],
	['stop', ['stop', 'quit', 'end', 'no longer', 'goodbye', 'say goodbye', 'ditch', 'skip', 'avoid', 'never again', 'forget about', 'forget']],
	['remember', ['remember', 'recall', 'never forget', 'keep track', 'track', 'tracking']],
	['save_time', ['save time', 'time-saving', 'time saving', 'hours back', 'hours a week', 'spend less time', 'less time', 'less busywork', 'less admin', 'less admin work', 'busywork', 'admin work', 'paperwork']],
	['automate', ['automate', 'automated', 'automation', 'automatic', 'automatically', 'autopilot', 'on autopilot', 'for you', 'done for you', 'handled', 'handles', 'takes care of', 'autofill', 'auto-fill', 'auto-complete', 'autocomplete']],
	['remind', ['reminder', 'reminders', 'remind', 'nudge', 'nudges', 'alert', 'alerts', 'notify', 'notification', 'notifications', 'warn', 'warning']],
	['chase', ['chase', 'chasing', 'hound', 'follow up', 'pester', 'nag']],
	['improve', ['upgrade', 'improve', 'improves', 'boost', 'level up', 'enhance', 'elevate', 'increase', 'gain', 'progress']],
	['win', ['win', 'won', 'land', 'clinch', 'succeed', 'succeeded', 'beat']],
	['learn', ['learn', 'discover', 'find out', 'explore', 'see how', 'see why', 'learn more', 'study', 'taught', 'teach', 'lessons', 'lesson', 'course', 'class', 'classes']],
	['choose', ['choose', 'pick', 'select', 'choice', 'choose from', 'pick from', 'your choice', 'options', 'option', 'selection', 'decide']],
	['find', ['find', 'search', 'locate', 'quiz']],
	['contact', ['call', 'contact', 'reach out', 'get in touch', 'chats', 'ring']],
	['speak', ['speak', 'speaking', 'talk', 'talking', 'conversation', 'conversations', 'chat', 'converse']],
	['book', ['book', 'booking', 'schedule', 'reserve', 'reservation', 'appointment', 'appointments']],
	['watch', ['watch', 'stream', 'streaming', 'binge']],
	['listen', ['listen', 'hear', 'listening', 'sound', 'audio']],
	['help', ['help', 'support', 'assist', 'assistance', 'aid', 'weve got you', 'we have got you']],
	['give', ['give', 'donate', 'donation', 'donations', 'contribute', 'contribution', 'provides', 'provide', 'funds', 'fund', 'goes to', 'go to']],
	['collect', ['collect', 'unlock', 'earn', 'gather', 'acquire', 'obtain', 'receive']],
	['fix', ['fix', 'fixed', 'repair', 'repairs', 'repaired', 'mend', 'sort out', 'sorted']],
	['clean', ['clean', 'cleans', 'cleaning', 'vacuum', 'vacuums', 'vacuuming', 'mop', 'mops', 'dust', 'tidy', 'hoover']],
	['sleep', ['sleep', 'sleeping', 'rest', 'slumber', 'sleeper', 'sleepers', 'all night', 'wake up', 'waking up', 'bedtime', 'nap']],
	['energy', ['energized', 'energised', 'energy', 'energetic', 'awake', 'slump', 'tired', 'fatigue', 'refreshed']],
	['recover', ['recover', 'recovery', 'bounce back', 'recuperate', 'repair muscles', 'rebuild']],
	['workout', ['workout', 'workouts', 'exercise', 'training', 'fitness', 'train', 'sweat', 'session', 'sessions', 'work out', 'working out', 'gym']],
	['wear', ['wear', 'wearing', 'worn', 'put on', 'dress']],
	['travel', ['travel', 'travels', 'trip', 'trips', 'journey', 'journeys', 'vacation', 'holiday', 'getaway', 'road trip']],
	['hire', ['hire', 'hired', 'job', 'jobs', 'employed', 'career', 'careers', 'work']],
	['switch', ['switch', 'switching', 'change', 'move', 'transfer', 'migrate', 'port']],
	['sell', ['sell', 'sold', 'selling']],
	['play', ['play', 'playing', 'game', 'games', 'gaming', 'players', 'player', 'fun']],
	['battle', ['battle', 'fight', 'compete', 'combat', 'war', 'duel', 'raid']],
	['build', ['build', 'make', 'construct']],
	['send', ['send', 'sending', 'sends', 'pay out', 'payout', 'payments to']],
	['store', ['store', 'vault']],
	['access', ['access', 'early access', 'presale', 'pre-sale', 'first dibs', 'before everyone']],
	['download', ['download', 'downloads', 'offline', 'without an internet connection', 'without internet', 'no internet', 'no wifi']],
	// Nouns: who, what
	['team', ['team', 'teams', 'staff', 'crew', 'colleagues', 'employees', 'workforce', 'people at work']],
	['customer', ['customer', 'customers', 'client', 'clients', 'shopper', 'shoppers', 'buyer', 'buyers', 'users', 'user', 'guests', 'patients', 'patient']],
	['people', ['people', 'person', 'folks', 'individuals', 'humans', 'learners', 'investors', 'drivers', 'runners']],
	['beginner', ['beginner', 'beginners', 'first-timer', 'first-timers', 'first timers', 'newbie', 'newbies', 'novice']],
	['kids', ['kids', 'children', 'child', 'toddler', 'toddlers', 'kid']],
	['family', ['family', 'families', 'household']],
	['dog', ['dog', 'dogs', 'pup', 'pups', 'puppy', 'puppies', 'pooch', 'canine']],
	['pet', ['pet', 'pets', 'furry friend']],
	['gift', ['gift', 'gifts', 'present', 'presents', 'gifting', 'stocking stuffer']],
	['home', ['home', 'house', 'apartment', 'living room', 'property', 'flat', 'at home']],
	['car', ['car', 'cars', 'auto', 'vehicle', 'vehicles']],
	['phone', ['phone', 'smartphone', 'mobile', 'app', 'iphone', 'android']],
	['device', ['device', 'devices', 'gadget', 'gadgets']],
	['software', ['software', 'platform', 'tool', 'tools', 'solution', 'system']],
	['website', ['website', 'site', 'web', 'online', 'webpage', 'homepage', 'internet']],
	['code', ['code', 'coding', 'programming', 'developer', 'developers']],
	['report', ['report', 'reports', 'reporting', 'dashboard', 'analytics', 'insights', 'metrics']],
	['account', ['account', 'accounts', 'login', 'logins', 'profile']],
	['password', ['password', 'passwords', 'passcode', 'credentials']],
	['leak', ['breach', 'breaches', 'data breach', 'leak', 'leaks', 'leaked', 'hacked', 'compromised']],
	['bank', ['bank', 'banking', 'bank account', 'checking account', 'checking']],
	['paycheck', ['paycheck', 'salary', 'wages', 'payday', 'direct deposit']],
	['invest', ['invest', 'investing', 'investment', 'investments', 'portfolio', 'stocks', 'shares']],
	['insurance', ['insurance', 'policy', 'coverage', 'insure']],
	['claim', ['claim', 'claims', 'file a claim', 'filed']],
	['quote', ['quote', 'quotes', 'estimate', 'price estimate', 'quick price']],
	['hotel', ['hotel', 'hotels', 'stay', 'stays', 'stay at', 'places to stay', 'accommodation', 'accommodations', 'lodging', 'room', 'rooms', 'resort']],
	['flight', ['flight', 'flights', 'fly', 'flying', 'airline', 'nonstop', 'non-stop', 'direct flight', 'direct flights', 'direct']],
	['legroom', ['legroom', 'leg room', 'leg space', 'space for your legs']],
	['degree', ['degree', 'college', 'university', 'diploma']],
	['meal', ['meal', 'meals', 'dinner', 'lunch', 'food', 'dish', 'dishes', 'recipe', 'recipes', 'supper', 'eat', 'eating', 'on the table', 'restaurant', 'restaurants', 'eateries', 'eatery', 'takeout', 'takeaway']],
	['groceries', ['groceries', 'grocery', 'grocery run', 'supermarket', 'shopping trip']],
	['produce', ['produce', 'fruit and vegetables', 'fruits and vegetables', 'fruit and veg', 'veg', 'vegetables', 'veggies', 'greens']],
	['hungry', ['hungry', 'hunger', 'starving', 'peckish', 'craving', 'cravings']],
	['ingredients', ['ingredients', 'ingredient']],
	['coffee', ['coffee', 'espresso', 'brew', 'beans', 'cafe', 'coffee shop', 'café']],
	['movie', ['movie', 'movies', 'film', 'films', 'cinema']],
	['show', ['show', 'shows', 'series', 'episodes', 'episode']],
	['music', ['music', 'songs', 'song', 'playlist', 'album', 'albums']],
	['ad', ['ad', 'ads', 'advert', 'adverts', 'advertising', 'commercials']],
	['skin', ['skin', 'complexion']],
	['lips', ['lip', 'lips']],
	['smudge', ['smudge', 'smear', 'smears', 'smudges', 'budge']],
	['teeth', ['teeth', 'tooth', 'smile', 'smiles']],
	['straight', ['straight', 'straighter', 'straighten', 'aligned']],
	['eyes', ['eyes', 'vision', 'eyesight', 'sight']],
	['glasses', ['glasses', 'eyeglasses', 'spectacles', 'frames', 'eyewear']],
	['jewelry', ['jewelry', 'jewellery', 'jewels']],
	['jacket', ['jacket', 'coat', 'parka', 'outerwear', 'layer', 'shell']],
	['shirt', ['shirt', 'tee', 't-shirt', 't shirt', 'tshirt']],
	['shoe', ['shoe', 'shoes', 'sneaker', 'sneakers', 'trainer', 'trainers', 'footwear']],
	['jeans', ['jeans', 'denim']],
	['fit', ['fit', 'size', 'sizing', 'fits']],
	['sofa', ['sofa', 'couch', 'settee', 'loveseat']],
	['mattress', ['mattress', 'bed']],
	['battery', ['battery', 'charge', 'battery life', 'charging']],
	['water', ['water', 'drinking water', 'clean water', 'safe water']],
	['tomatoes', ['tomato', 'tomatoes']],
	['harvest', ['harvest', 'homegrown', 'home-grown']],
	['garden', ['garden', 'gardening', 'backyard', 'yard', 'gardeners', 'gardener', 'grow', 'grows', 'growing', 'plant', 'plants', 'thrive', 'thrives']],
	['hero', ['hero', 'heroes', 'champion', 'champions', 'character', 'characters', 'fighter', 'fighters']],
	['kingdom', ['kingdom', 'empire', 'realm', 'castle', 'civilization']],
	['strategy', ['strategy', 'tactical', 'tactics']],
	['judgment', ['judgment', 'judgement', 'judge', 'judges', 'judging', 'judged', 'intimidation']],
	['stronger', ['stronger', 'strength', 'strong', 'muscle', 'muscles']],
	['invoice', ['invoice', 'invoices', 'invoicing', 'bill', 'bills', 'billing']],
	['payroll', ['payroll', 'pay run', 'pay your team']],
	['tax', ['tax', 'taxes', 'tax filings', 'filings']],
	['contractor', ['contractor', 'contractors', 'freelancer', 'freelancers']],
	['portion', ['portion', 'portions', 'portioned', 'pre-portioned', 'serving', 'servings']],
	['size', ['weight', 'age', 'breed']],
	['ticket', ['ticket', 'tickets', 'seat', 'seats', 'pass', 'passes']],
	['tour', ['tour', 'concert', 'concerts', 'gig']],
	['pipe', ['pipe', 'pipes', 'plumbing', 'burst', 'bursts', 'burst pipe']],
	['emergency', ['emergency', 'urgent', 'flood']],
	['first_time', ['first time', 'right the first time', 'the first time', 'first try']],
	['closing', ['closing', 'close', 'closing date']],
	['showings', ['showings', 'open house', 'viewings', 'viewing']],
	['fair', ['fair', 'honest', 'transparent', 'upfront', 'no-nonsense']],
	['minutes', ['minutes', 'minute']],
	['everyday', ['everyday', 'daily', 'every day', 'each day', 'day to day']],
	['road', ['road', 'traffic', 'commute', 'commuting', 'drive']],
	['hill', ['hill', 'hills', 'slope', 'incline', 'climb', 'uphill']],
	['bike', ['bike', 'bikes', 'bicycle', 'e-bike', 'ebike', 'cycle', 'cycling', 'ride', 'riding']],
	['supply', ['supply', 'pack', 'tub', 'bottle', 'bag', 'box', 'refill', 'refills']],
	['no_equipment', ['no equipment', 'no gear', 'zero gear', 'without equipment', 'no equipment needed', 'no equipment required', 'nothing to buy']],
	['need', ['need', 'needed', 'required', 'require', 'requires', 'necessary', 'must', 'have to']],
	['apply', ['apply', 'application']],
	['decision', ['decision', 'approval', 'approved', 'answer', 'result']],
	['science', ['science', 'scientific', 'stem']],
	['excited', ['excited', 'exciting', 'love', 'loves', 'adore', 'adores', 'enjoy', 'enjoys', 'like', 'likes', 'obsessed', 'fall for']],
	['screen', ['screen', 'screens', 'screen time', 'tablet', 'tablets', 'tv']],
	['wifi', ['wi-fi', 'wifi', 'wireless', 'hotspot', 'network']],
	['data', ['data', 'gigabytes', 'gb']],
	['hidden', ['hide', 'hidden', 'mask', 'masked', 'anonymous', 'anonymously', 'invisible']],
	['unlimited', ['unlimited', 'limitless', 'no limits', 'no limit', 'no caps', 'no cap', 'endless', 'as much as you want']],
	['number_phone', ['number', 'phone number']],
	['miss', ['miss', 'missing', 'lack', 'lacking', 'deficient', 'short on', 'missed']],
	['adult', ['adult', 'adults', 'grown-ups', 'grownups']],
	['swallow', ['swallow', 'swallowing', 'take', 'gulp']],
	['capsule', ['capsule', 'capsules', 'pill', 'pills', 'softgel', 'softgels']],
	['protein', ['protein']],
	['sugar', ['sugar', 'sugars', 'sweetener', 'sweeteners']],
	['clump', ['clump', 'clumps', 'lump', 'lumps', 'chalky', 'gritty']],
	['mix', ['mix', 'mixes', 'blend', 'blends', 'stir', 'dissolve', 'dissolves']],
	['long', ['long', 'extended', 'longer', 'longest', 'extra-long', 'marathon']],
	['wash', ['wash', 'washing', 'laundry', 'washes', 'washed']],
	['morning', ['morning', 'oclock am', 'am']],
	['color', ['color', 'colour', 'colors', 'colours', 'shade', 'shades', 'hue']],
	['swipe', ['swipe', 'stroke']],
	['shape', ['shape', 'form', 'structure']],
	['document', ['document', 'documents']],
	['bank_transfer', ['bank transfer', 'wire transfer', 'ach']],
	['project', ['project', 'projects', 'programme', 'initiative', 'initiatives']],
	['community', ['community', 'communities', 'village', 'villages', 'neighbors', 'neighbours']],
	['review', ['review', 'reviews', 'rating', 'ratings', 'rated', 'stars', 'testimonials']],
	['say', ['say', 'says', 'said', 'tell', 'tells', 'told', 'agree']],
	['waiting', ['waiting', 'wait', 'awaits', 'await', 'ready for you', 'waiting for you']],
];

/** Concepts so common in ads that they say little about a variant; the embedder down-weights them. */
export const GENERIC_CONCEPTS: ReadonlySet<string> = new Set([
	'buy', 'now', 'learn', 'launch', 'customer', 'start', 'best', 'excited', 'free', 'every', 'everyone', 'people', 'starting_at', 'more_than', 'up_to', 'less_than', 'about', 'no', 'help', 'designed', 'improve', 'perfect', 'say', 'waiting', 'again', 'many', 'price',
]);

/**
 * Phrases made of small words that still say something, rewritten on the
 * normalized text before stopwords go: "shipping is on us" = "shipping is
 * free".
 */
export const PHRASE_REWRITES: ReadonlyArray<readonly [RegExp, string]> = [
	[/\b(?:on us|on the house|at no (?:extra )?cost|for free|free of charge|at no charge|for nothing)\b/g, 'free'],
	[/\b(?:up to|as many as|as much as|no more than)\b/g, 'upto'],
	[/\b(?:more than|over|upwards of|in excess of)\b/g, 'morethan'],
	[/\b(?:less than|under|below|fewer than)\b/g, 'lessthan'],
	[/\b(?:for good|for life|for ever)\b/g, 'forever'],
	[/\b(?:whenever you (?:want|like)|any time|anytime|on your (?:own )?schedule)\b/g, 'anytime'],
];

/**
 * Words that carry no claim in ad copy beyond the English stopwords
 * (auxiliary verbs of every shape, intensifiers, fillers): dropped before
 * the thesaurus, so "keeps you warm" and "stay warm" meet.
 */
export const AD_FILLER_WORDS: ReadonlySet<string> = new Set(
	(
		'per actually genuinely really truly ever even still yet already whenever wherever whatever thing things way lot much many whole entire etc ' +
		'go goes going gone went come comes coming came let lets make makes making keep keeps kept keeping take takes taking took taken ' +
		'want wants wanted can could will would shall get gets getting got gotten give gives giving gave given stay stays staying ' +
		'put puts puts our your their its my his her us we you they it this that these those there here ' +
		'one ones someone something anything everything nothing else another other others always often simply straight ' +
		'like able need needs needed new right up down out around'
	)
		.split(' ')
		.filter((w) => !['always', 'new', 'need', 'needed', 'needs', 'nothing', 'around', 'simply', 'straight', 'right', 'up', 'down', 'out', 'like', 'one'].includes(w)),
);

/**
 * Comparatives and superlatives of common ad adjectives, and irregular verb
 * forms, to their base word (stemming alone leaves "cooler" and "cool"
 * apart).
 */
export const WORD_FORMS: Readonly<Record<string, string>> = (() => {
	const out: Record<string, string> = {};
	const adjectives =
		'bright cool cold warm light fast quick soft strong smooth rich fresh clean clear easy simple safe cheap low high deep long short big small tiny fine smart sharp sleek slim thin thick tough hard loud quiet calm mild kind great wide tight loose dry wet comfy cozy tasty healthy happy lucky early late fit sweet crisp bold lean'.split(
			' ',
		);
	for (const a of adjectives) {
		const y = a.endsWith('y') ? a.slice(0, -1) + 'i' : a;
		const doubled = /[^aeiou][aeiou][bdgmnpt]$/.test(a) ? a + a[a.length - 1] : a;
		const base = a.endsWith('e') ? a.slice(0, -1) : a;
		for (const form of new Set([`${y}er`, `${y}est`, `${doubled}er`, `${doubled}est`, `${base}er`, `${base}est`])) if (form !== a) out[form] = a;
	}
	const irregular: Record<string, string> = {
		better: 'good', best: 'best', worse: 'bad', worst: 'bad', made: 'make', built: 'build', sold: 'sell', paid: 'pay', bought: 'buy', brought: 'bring', worn: 'wear', wore: 'wear',
		grown: 'grow', grew: 'grow', written: 'write', wrote: 'write', chosen: 'choose', chose: 'choose', found: 'find', felt: 'feel', ran: 'run', run: 'run', sent: 'send', spent: 'spend',
		won: 'win', lost: 'lose', told: 'tell', thought: 'think', taught: 'teach', caught: 'catch', met: 'meet', led: 'lead', held: 'hold', began: 'begin', begun: 'begin', drove: 'drive',
		driven: 'drive', flew: 'fly', flown: 'fly', ate: 'eat', eaten: 'eat', slept: 'sleep', kept: 'keep', left: 'leave', heard: 'hear', seen: 'see', saw: 'see', knew: 'know', known: 'know',
		grew_up: 'grow', fed: 'feed', froze: 'freeze', frozen: 'freeze', hid: 'hide', hidden: 'hidden', chosen_by: 'choose',
		comfiest: 'comfy', comfier: 'comfy', cosier: 'cozy', coziest: 'cozy',
	};
	return { ...out, ...irregular };
})();
