"""Word lists in English and Hindi that the rules planner reads a story with.

Hindi entries are stems: a word matches when it starts with the stem (हँस matches हँसकर,
हँसने), because Hindi inflects by suffix. English entries are whole words. Values are what
the storyboard needs: enum members for time, weather and mood, English words for prompts
(image models read English, so a Hindi story's settings and objects are translated here).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from storyreel.domain import Mood, TimeOfDay, Weather

V = TypeVar("V")


def wordset(text: str) -> frozenset[str]:
    """A set of words written as one space-separated string (easier to read and extend)."""
    return frozenset(text.split())


def _spread(groups: Mapping[V, str]) -> dict[str, V]:
    """{value: "word word ..."} -> {word: value}."""
    return {word: value for value, words in groups.items() for word in words.split()}


# --------------------------------------------------------------------------- time and weather

TIME_EN: dict[str, TimeOfDay] = _spread(
    {
        TimeOfDay.DAWN: "dawn daybreak sunrise cockcrow",
        TimeOfDay.MORNING: "morning mornings breakfast forenoon",
        TimeOfDay.NOON: "noon midday noonday",
        TimeOfDay.AFTERNOON: "afternoon",
        TimeOfDay.EVENING: "evening evenings dusk sunset twilight supper nightfall",
        TimeOfDay.NIGHT: "night nights midnight tonight moon moonlight moonlit stars starlight",
    }
)
TIME_HI: dict[str, TimeOfDay] = _spread(
    {
        TimeOfDay.DAWN: "भोर तड़के उषा",
        TimeOfDay.MORNING: "सुबह सवेर प्रभात प्रातः",
        TimeOfDay.NOON: "दोपहर",
        TimeOfDay.EVENING: "शाम संध्या साँझ सांझ",
        TimeOfDay.NIGHT: "रात रात्रि चाँदनी चांदनी तारे",
    }
)

WEATHER_EN: dict[str, Weather] = _spread(
    {
        Weather.STORM: "storm storms stormy thunder thunderstorm lightning gale tempest hurricane",
        Weather.SNOW: "snow snowed snowing snowflakes snowy frost frozen",
        Weather.RAIN: "rain rained raining rainy drizzle shower downpour",
        Weather.FOG: "fog foggy mist misty haze",
        Weather.CLOUDY: "cloud clouds cloudy overcast",
    }
)
WEATHER_HI: dict[str, Weather] = _spread(
    {
        Weather.STORM: "आँधी आंधी तूफ़ान तूफान गरज बिजली",
        Weather.SNOW: "बर्फ़ बर्फ पाला",
        Weather.RAIN: "बारिश वर्षा बरसात बरसने बरसा मेंह",
        Weather.FOG: "कोहरा कुहासा धुंध",
        Weather.CLOUDY: "बादल घटा",
    }
)
WEATHER_PRECEDENCE = (Weather.STORM, Weather.SNOW, Weather.RAIN, Weather.FOG, Weather.CLOUDY)
"""When a scene names several kinds of weather, the most visible one wins."""

# --------------------------------------------------------------------------- mood

MOOD_EN: dict[str, Mood] = _spread(
    {
        Mood.HAPPY: "happy happily joy joyful glad gladly laugh laughed laughing smile smiled smiling cheerful "
        "delight delighted merry celebrate feast festival bright shone golden",
        Mood.SAD: "sad sadly sorrow sorrowful tears wept weep weeping grief mourn mourned lonely poor hunger "
        "hungry starving misery miserable pity died dead death dying sigh sighed despair",
        Mood.TENSE: "danger dangerous fear afraid terror terrified fight fought attack blood pistol musket "
        "cutlass shot fired scream screamed chase threat angry rage fury struggle trembling",
        Mood.MYSTERIOUS: "strange mystery mysterious secret shadow shadows ghost silent silence whisper "
        "whispered unknown curious curiosity dark darkness hidden map treasure",
        Mood.ROMANTIC: "love loved loving kiss kissed beloved darling sweetheart embrace tender",
        Mood.EPIC: "battle king army glory brave hero mighty victory sword sail voyage island",
        Mood.PLAYFUL: "play played playing game games toy toys dance danced jump jumped funny silly giggle "
        "mischief tease teased",
        Mood.CALM: "quiet quietly peace peaceful gentle gently calm soft softly still rest sleep slept",
    }
)
MOOD_HI: dict[str, Mood] = _spread(
    {
        Mood.HAPPY: "खुश ख़ुश प्रसन्न आनंद आनन्द हँस हंस मुस्कुरा मुस्करा उत्सव ईद त्योहार बधाई मनोहर उल्लास",
        Mood.SAD: "दुख दुःख आँसू आंसू उदास गरीब ग़रीब भूख भूखी अकेल दर्द पीड़ा निराश रोने रोती रोता रोई बेचारी बेचारा करुण",
        Mood.TENSE: "डर भय ख़तर खतर क्रोध गुस्स ग़ुस्स लड़ाई चीख घबरा झगड़",
        Mood.MYSTERIOUS: "रहस्य अजीब अँधेर अंधेर सन्नाट छाया भूत",
        Mood.ROMANTIC: "प्रेम प्यार प्रिय हृदय",
        Mood.EPIC: "वीर युद्ध विजय राजा सेना बहादुर साहस",
        Mood.PLAYFUL: "खेल खिलौन नाच शरारत मज़ा मजा",
        Mood.CALM: "शांत शान्त चैन धीरे नींद सुकून",
    }
)
MOOD_FROM_WEATHER: dict[Weather, Mood] = {Weather.STORM: Mood.TENSE, Weather.FOG: Mood.MYSTERIOUS}

# --------------------------------------------------------------------------- places and objects

PLACES_EN: frozenset[str] = wordset(
    "cottage hut house home cabin inn tavern castle palace tower church temple mosque school shop market "
    "street road lane path bridge village town city forest wood woods jungle garden field fields farm meadow "
    "hill hills mountain mountains valley river stream brook lake pond sea ocean beach shore coast island "
    "harbour harbor ship schooner boat deck cave desert well kitchen room bedroom parlour parlor hall cellar "
    "attic stable barn yard courtyard graveyard churchyard stockade camp fort flat chamber corridor"
)
SETTING_ADJECTIVES_EN: frozenset[str] = wordset(
    "small little big great old ancient dark stone wooden brick thatched poor grand narrow wide deep thick "
    "quiet busy empty ruined dusty muddy green shabby cold snowy lonely tall high low broad bare"
)
PLACES_HI: dict[str, str] = {
    "झोपड़ी": "hut",
    "झोंपड़ी": "hut",
    "घर": "house",
    "गाँव": "village",
    "गांव": "village",
    "शहर": "town",
    "नगर": "town",
    "जंगल": "forest",
    "खेत": "field",
    "बाग": "garden",
    "बगीच": "garden",
    "नदी": "river",
    "तालाब": "pond",
    "कुआँ": "well",
    "कुएँ": "well",
    "कुएं": "well",
    "कुआं": "well",
    "पहाड़ी": "hill",
    "पहाड़": "mountain",
    "मंदिर": "temple",
    "मस्जिद": "mosque",
    "ईदगाह": "Eidgah prayer ground",
    "बाज़ार": "market",
    "बाजार": "market",
    "मेल": "village fair",
    "सड़क": "road",
    "आँगन": "courtyard",
    "आंगन": "courtyard",
    "रसोई": "kitchen",
    "कोठरी": "small room",
    "कमरे": "room",
    "कमरा": "room",
    "दुकान": "shop",
    "चौपाल": "village square",
    "समुद्र": "sea",
    "महल": "palace",
    "हवेली": "mansion",
    "ऊख": "sugarcane field",
}
SETTING_ADJECTIVES_HI: dict[str, str] = {
    "पुरान": "old",
    "छोटी": "small",
    "छोटा": "small",
    "छोटे": "small",
    "बड़ी": "big",
    "बड़ा": "big",
    "बड़े": "big",
    "टूटी": "broken",
    "टूटा": "broken",
    "कच्च": "mud",
    "पक्क": "brick",
    "सुनसान": "deserted",
}
OBJECTS_HI: dict[str, str] = {
    "दीपक": "clay oil lamp",
    "दीया": "clay oil lamp",
    "लालटेन": "lantern",
    "लौ": "flame",
    "आग": "fire",
    "अलाव": "bonfire",
    "पानी": "water",
    "लोटा": "brass water pot",
    "लोटे": "brass water pot",
    "घड़ा": "clay pot",
    "घड़े": "clay pot",
    "रस्सी": "rope",
    "चिमट": "iron tongs",
    "कंबल": "blanket",
    "खिलौन": "clay toys",
    "मिठाई": "sweets",
    "पूड़ि": "fried bread",
    "पूड़ी": "fried bread",
    "पेड़": "trees",
    "फूल": "flowers",
    "कुत्त": "dog",
    "बैल": "bullocks",
    "गाय": "cow",
    "चाँद": "moon",
    "सूरज": "sun",
    "सूर्य": "sun",
    "हवा": "wind",
    "रोशनी": "light",
    "पैसे": "coins",
    "रुपये": "rupees",
    "थाल": "plate",
    "चारपाई": "cot",
    "पत्ते": "dry leaves",
    "पत्तियों": "dry leaves",
    "धुआँ": "smoke",
}

# --------------------------------------------------------------------------- time and place breaks

SCENE_BREAKS_EN: tuple[str, ...] = (
    "next morning",
    "the next morning",
    "the next day",
    "next day",
    "that night",
    "that evening",
    "that morning",
    "the following day",
    "the following morning",
    "the next night",
    "later that",
    "one day",
    "one morning",
    "one evening",
    "one night",
    "one autumn",
    "one winter",
    "one summer",
    "one spring",
    "early next",
    "early the next",
    "some days later",
    "some time later",
    "days later",
    "weeks later",
    "months later",
    "years later",
    "at dawn",
    "at daybreak",
    "at midnight",
    "meanwhile",
    "in the morning",
    "in the evening",
    "when morning came",
    "when night came",
    "when evening came",
)
SCENE_BREAKS_HI: tuple[str, ...] = (
    "अगले दिन",
    "अगली सुबह",
    "अगली रात",
    "दूसरे दिन",
    "रात को",
    "रात में",
    "आधी रात",
    "सुबह",
    "सवेरे",
    "शाम को",
    "संध्या",
    "एक दिन",
    "एक रात",
    "उस रात",
    "उसी रात",
    "उस दिन",
    "कुछ दिन बाद",
    "कई दिन बाद",
    "उधर",
)

# --------------------------------------------------------------------------- people

SPEECH_VERBS_EN: frozenset[str] = wordset(
    "said says say asked asks cried cries replied replies answered answers shouted shouts whispered whispers "
    "exclaimed called continued added muttered murmured began returned observed declared remarked repeated "
    "roared screamed sobbed laughed bleated growled sang interrupted suggested grumbled thundered insisted "
    "pleaded demanded explained retorted agreed protested groaned sighed whimpered yelled snapped hissed "
    "squeaked barked bawled resumed urged persisted inquired enquired gasped stammered wailed panted piped "
    "chuckled ventured responded concluded cries wept bellowed screeched howled"
)
SPEECH_VERBS_HI: frozenset[str] = wordset(
    "कहा कही कहे कहता कहती कहते कहने बोला बोली बोले बोलीं बोलता बोलती बोलते पूछा पूछी पूछे पूछने पूछता पूछती "
    "पुकारा पुकारी पुकारने चिल्लाया चिल्लाई चिल्लाने डाँटा डांटा"
) | {"जवाब दिया", "उत्तर दिया"}
"""Whole word forms: a stem such as कह would also match कहाँ ("where")."""

MALE_WORDS_EN: frozenset[str] = wordset(
    "he him his himself boy man men father grandfather son grandson brother king husband uncle mr sir lord "
    "gentleman fellow lad prince squire captain"
)
FEMALE_WORDS_EN: frozenset[str] = wordset(
    "she her hers herself girl woman women mother grandmother daughter granddaughter sister queen wife aunt "
    "mrs miss lady madam madame maiden princess witch"
)
MALE_WORDS_HI: frozenset[str] = wordset(
    "बोला कहा था गया आया लगा रहा उठा बैठा चला दादा नाना पिता बाप बेटा पोता भाई चाचा काका मामा लड़का"
)
FEMALE_WORDS_HI: frozenset[str] = wordset(
    "बोली बोलीं थी थीं गई गयी आई आयी लगी रही उठी बैठी चली दादी नानी माँ माता अम्मा अम्माँ बेटी पोती बहन चाची "
    "काकी मामी लड़की स्त्री औरत बुढ़िया"
)
RELATIONS_HI: dict[str, str] = {
    "दादी": "elderly Indian grandmother",
    "नानी": "elderly Indian grandmother",
    "दादा": "elderly Indian grandfather",
    "नाना": "elderly Indian grandfather",
    "काकी": "elderly Indian aunt",
    "चाची": "Indian woman",
    "माँ": "Indian mother",
    "अम्मा": "Indian mother",
    "अम्माँ": "Indian mother",
    "पिता": "Indian father",
    "बापू": "Indian father",
    "पोती": "little Indian girl",
    "पोता": "little Indian boy",
    "बेटी": "young Indian girl",
    "बेटा": "young Indian boy",
    "ठाकुर": "Indian landlord",
    "पंडित": "Indian priest",
    "चौधरी": "Indian village elder",
    "राही": "weary Indian traveller",
    "मुसाफ़िर": "weary Indian traveller",
}
AGE_WORDS_EN: dict[str, str] = {
    "old": "old",
    "elderly": "elderly",
    "aged": "old",
    "young": "young",
    "little": "little",
    "small": "small",
    "tiny": "tiny",
}
BUILD_WORDS_EN: frozenset[str] = wordset(
    "thin tall short fat stout slender strong frail bent hunched lame blind one-legged broad lean plump "
    "bareheaded barefoot ragged"
)
HAIR_WORDS_EN: frozenset[str] = wordset("hair beard moustache mustache pigtail curls braid braids whiskers")
CLOTHES_EN: frozenset[str] = wordset(
    "scarf coat dress frock hat cap shawl sari kurta dhoti apron slippers boots shoes cloak jacket gown "
    "waistcoat trousers skirt bonnet hood robe turban uniform"
)
DESCRIPTION_ADJECTIVES_EN: frozenset[str] = wordset(
    "red blue green yellow black white grey gray brown golden fair dark long short curly straight soiled "
    "old new torn ragged tattered faded fine silk woollen woolen cotton velvet little big tarry shabby "
    "bright thick thin plain warm"
)
AGE_WORDS_HI: dict[str, str] = {
    "बूढ़ी": "old",
    "बूढ़ा": "old",
    "बूढ़े": "old",
    "बुढ़िया": "old",
    "छोटी": "little",
    "छोटा": "little",
    "नन्ही": "little",
    "नन्हा": "little",
    "जवान": "young",
}
BUILD_HI: dict[str, str] = {
    "दुबल": "thin",
    "नाट": "short",
    "ठिगन": "short",
    "कमज़ोर": "frail",
    "कमजोर": "frail",
    "हट्ट": "sturdy",
    "तगड़": "sturdy",
}
"""Stems of build words said of people (दुबला, दुबली, दुबले...); the first one near a name describes
the person. Words also said of things (लंबा 'long', मोटा 'thick', पतला 'watery') are left out."""
NUMBERS_HI: dict[str, int] = {
    "एक": 1, "दो": 2, "तीन": 3, "चार": 4, "पाँच": 5, "पांच": 5, "छह": 6, "छः": 6, "छे": 6, "सात": 7,
    "आठ": 8, "नौ": 9, "दस": 10, "ग्यारह": 11, "बारह": 12, "तेरह": 13, "चौदह": 14, "पंद्रह": 15,
    "सोलह": 16, "सत्रह": 17, "अठारह": 18, "बीस": 20, "पच्चीस": 25, "तीस": 30, "चालीस": 40, "पचास": 50,
    "साठ": 60, "पैंसठ": 65, "सत्तर": 70, "पचहत्तर": 75, "अस्सी": 80, "नब्बे": 90, "सौ": 100,
}
"""Number words that give an age ('चार-पाँच साल का लड़का', 'सत्तर बरस की बुढ़िया')."""
CLOTHES_HI: dict[str, str] = {
    "फ्रॉक": "frock",
    "साड़ी": "sari",
    "धोती": "dhoti",
    "कुर्ता": "kurta",
    "कुरता": "kurta",
    "पगड़ी": "turban",
    "टोपी": "cap",
    "चादर": "shawl",
    "कंबल": "blanket",
    "ओढ़नी": "dupatta",
    "दुपट्टा": "dupatta",
}
COLOURS_HI: dict[str, str] = {
    "नील": "blue",
    "लाल": "red",
    "हरी": "green",
    "हरा": "green",
    "हरे": "green",
    "पील": "yellow",
    "काल": "black",
    "सफ़ेद": "white",
    "सफेद": "white",
    "गुलाबी": "pink",
    "फटी": "torn",
    "फटा": "torn",
    "पुरान": "old",
}
ANIMALS_EN: frozenset[str] = wordset(
    "wolf lamb bat weasel weasels ass donkey grasshopper lion mouse cat dog horse cow sheep pig elephant "
    "ostrich giraffe hippopotamus baboon crocodile python snake bird fox crow monkey tiger bear rabbit hare "
    "tortoise parrot bull goat ox camel deer owl frog duck goose hen kite jackal"
)


ANIMALS_HI: dict[str, str] = {
    "कुत्त": "dog",
    "कुतिया": "dog",
    "बिल्ली": "cat",
    "बैल": "bullock",
    "गाय": "cow",
    "भैंस": "buffalo",
    "घोड़": "horse",
    "बकरी": "goat",
    "तोत": "parrot",
    "हाथी": "elephant",
    "शेर": "lion",
    "बंदर": "monkey",
}
"""Stems: an animal word before a name (कुत्ता जबरा) makes the character that animal."""


def stem_lookup(word: str, stems: Mapping[str, V]) -> V | None:
    """The value of the longest stem that word starts with (Hindi inflects by suffix)."""
    for length in range(min(len(word), 12), 0, -1):
        value = stems.get(word[:length])
        if value is not None:
            return value
    return None


def count_hits(words: Iterable[str], english: Mapping[str, V], hindi: Mapping[str, V]) -> dict[V, int]:
    """How often each value's words occur (English whole words, lower-cased; Hindi stems)."""
    counts: dict[V, int] = {}
    for word in words:
        value = english.get(word.lower()) if word.isascii() else stem_lookup(word, hindi)
        if value is not None:
            counts[value] = counts.get(value, 0) + 1
    return counts

# --------------------------------------------------------------------------- kinship, age and given names

Kinship = tuple[str, str, float]
"""(gender, age, how surely the age follows from the word)."""

KIN_EN: dict[str, Kinship] = _spread(
    {
        ("male", "child", 1.0): "grandson grandsons boy lad laddie schoolboy",
        ("female", "child", 1.0): "granddaughter granddaughters girl lass lassie schoolgirl",
        ("", "child", 1.0): "grandchild grandchildren child kid baby infant toddler youngster",
        ("female", "old", 1.0): "grandmother grandma granny grannie gran nana",
        ("male", "old", 1.0): "grandfather grandpa granddad grandad gramps",
        ("male", "child", 0.5): "son nephew",
        ("female", "child", 0.5): "daughter niece",
        ("female", "adult", 1.0): "mother mum mom mama mamma ma stepmother wife widow aunt auntie woman lady",
        ("male", "adult", 1.0): "father dad daddy papa pa stepfather husband uncle man gentleman fellow farmer "
        "fisherman sailor soldier",
        ("male", "", 1.0): "brother king prince",
        ("female", "", 1.0): "sister queen princess maiden",
    }
)
"""English kinship and person nouns: (gender, age, how surely the age follows). 'her son' is
usually young in a story, but not always, so son and daughter count half for age."""
NUMBERS_EN: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
}  # fmt: skip
"""Number words that give an age ('a boy of ten', 'seventy years old', 'twenty-two')."""
AGE_ADJECTIVES_EN: dict[str, tuple[str, float]] = {
    "old": ("old", 1.0), "elderly": ("old", 1.0), "aged": ("old", 1.0), "ancient": ("old", 1.0),
    "grey-haired": ("old", 1.0), "white-haired": ("old", 1.0), "wrinkled": ("old", 0.5),
    "little": ("child", 0.7), "young": ("child", 0.5), "tiny": ("child", 0.7), "baby": ("child", 1.0),
}  # fmt: skip
"""Age words said of a person before the noun ('old Meera', 'a little girl')."""
KIN_HI: dict[str, Kinship] = _spread(
    {
        ("male", "child", 1.0): "पोता पोते नाती लड़का लड़के लडका लडके बालक छोरा छोरे",
        ("female", "child", 1.0): "पोती नातिन लड़की लडकी बालिका छोरी बच्ची बिटिया",
        ("", "child", 1.0): "बच्चा बच्चे शिशु",
        ("male", "child", 0.5): "बेटा बेटे भतीजा भतीजे भांजा भांजे",
        ("female", "child", 0.5): "बेटी भतीजी भांजी",
        ("female", "old", 1.0): "दादी नानी बूढ़ी बुढ़िया बुड्ढी",
        ("male", "old", 1.0): "दादा नाना बूढ़ा बूढ़े बुड्ढा बुड्ढे",
        ("", "old", 1.0): "वृद्ध",
        ("female", "adult", 1.0): "माँ मां माता अम्मा अम्माँ मैया चाची ताई मामी बुआ मौसी पत्नी औरत स्त्री महिला",
        ("male", "adult", 1.0): "पिता बाप बापू चाचा चाचे ताऊ मामा मामे काका काके मौसा पति आदमी",
        ("female", "", 1.0): "काकी बहन बहिन दीदी",
        ("male", "", 1.0): "भाई भैया",
        ("male", "child", 0.7): "नन्हा नन्हे",
        ("female", "child", 0.7): "नन्ही",
    }
)
"""Hindi kinship, person and age words with their oblique forms (अपने पोते अर्जुन से): (gender,
age, how surely the age follows). Adjectives agree in gender (बूढ़ी, नन्ही), so they tell both."""
GRAND_RECIPROCAL = {"old": "child", "child": "old"}
"""'Arjun's grandmother': the grandmother is old, so the one whose grandmother she is is young."""
GRAND_WORDS = wordset(
    "grandson grandsons granddaughter granddaughters grandchild grandchildren grandmother grandma granny "
    "grannie gran grandfather grandpa granddad grandad gramps पोता पोते पोती नाती नातिन दादी नानी दादा नाना"
)
MALE_NAMES = wordset(
    """arjun ravi raj rahul rohan amit anil ajay vijay sanjay suresh ramesh mahesh dinesh rakesh mohan sohan
    ram shyam krishna gopal hamid mahmood mohsin halku jokhu hori gobar munna raju babu kabir
    aman karan kishan manoj deepak vikram arun varun tarun harish girish prakash om vikas nikhil abhishek
    john james jim jack tom thomas william bill george peter paul michael david robert richard charles henry
    edward frank harry joe samuel ben benjamin oliver jacob hansel arthur alfred fred ted sam dick
    अर्जुन रवि राज राहुल रोहन अमित अनिल अजय विजय संजय सुरेश रमेश महेश दिनेश राकेश मोहन सोहन राम श्याम कृष्ण
    गोपाल हामिद महमूद मोहसिन हल्कू जोखू होरी गोबर मुन्ना राजू कबीर अमन करण किशन मनोज दीपक विक्रम अरुण"""
)
FEMALE_NAMES = wordset(
    """meera mira sita gita geeta radha priya anita sunita kavita savita asha usha lata rekha seema neha
    pooja puja anjali divya lakshmi parvati durga ganga gangi munni rupa ladli amina sakina fatima kamla
    kamala shanti sarla sarala gudiya nandini sneha riya aisha zara maya tara uma
    mary anne anna elizabeth margaret jane sarah emily alice helen della gretel grace rose lucy susan
    martha ellen ruth clara emma sophie charlotte julia kate katherine catherine betty molly
    मीरा सीता गीता राधा प्रिया अनीता सुनीता कविता सविता आशा उषा लता रेखा सीमा नेहा पूजा अंजलि दिव्या लक्ष्मी
    पार्वती दुर्गा गंगा गंगी मुन्नी रूपा लाडली अमीना सकीना फ़ातिमा कमला शांति सरला गुड़िया नंदिनी माया तारा उमा"""
)
"""Given names commonly given to one gender: weak evidence, outweighed by pronouns and kinship words."""
