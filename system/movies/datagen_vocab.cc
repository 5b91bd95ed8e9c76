#include "system/movies/datagen_vocab.h"

namespace chancho::movies {
namespace {

// Weights roughly follow the share of each country in the real dataset,
// with Argentina and Spain raised so the queries about them have data.
constexpr CountryInfo kCountries[] = {
    {"US", "United States of America", "en", 40},
    {"GB", "United Kingdom", "en", 8},
    {"FR", "France", "fr", 8},
    {"DE", "Germany", "de", 5},
    {"IT", "Italy", "it", 4},
    {"ES", "Spain", "es", 5},
    {"AR", "Argentina", "es", 4},
    {"JP", "Japan", "ja", 4},
    {"CA", "Canada", "en", 4},
    {"IN", "India", "hi", 3},
    {"MX", "Mexico", "es", 2},
    {"BR", "Brazil", "pt", 2},
    {"KR", "South Korea", "ko", 2},
    {"SE", "Sweden", "sv", 1},
    {"UY", "Uruguay", "es", 1},
    {"CL", "Chile", "es", 1},
    {"CO", "Colombia", "es", 1},
    {"CI", "Cote D'Ivoire", "fr", 1},
    {"BE", "Belgium", "fr", 1},
    {"DK", "Denmark", "da", 1},
};

constexpr GenreInfo kGenres[] = {{16, "Animation"},
                                 {35, "Comedy"},
                                 {10751, "Family"},
                                 {12, "Adventure"},
                                 {14, "Fantasy"},
                                 {10749, "Romance"},
                                 {18, "Drama"},
                                 {28, "Action"},
                                 {80, "Crime"},
                                 {53, "Thriller"},
                                 {27, "Horror"},
                                 {36, "History"},
                                 {878, "Science Fiction"},
                                 {9648, "Mystery"},
                                 {10752, "War"},
                                 {10769, "Foreign"},
                                 {10402, "Music"},
                                 {99, "Documentary"},
                                 {37, "Western"},
                                 {10770, "TV Movie"}};

constexpr LanguageInfo kLanguages[] = {
    {"en", "English"},   {"es", "Español"},  {"fr", "Français"},
    {"de", "Deutsch"},   {"it", "Italiano"}, {"ja", "日本語"},
    {"pt", "Português"}, {"hi", "हिन्दी"},    {"ko", "한국어/조선말"},
    {"sv", "svenska"},   {"da", "Dansk"},
};

constexpr std::string_view kTitleAdjectives[] = {
    "Silent",    "Last",     "Broken", "Golden",  "Hidden",
    "Endless",   "Secret",   "Wild",   "Lonely",  "Brilliant",
    "Dark",      "Burning",  "Frozen", "Little",  "Lost",
    "Forgotten", "Electric", "Sweet",  "Crooked", "Distant",
};

constexpr std::string_view kTitleNouns[] = {
    "River",   "Summer",  "City",   "Heart",      "Road",     "Garden",
    "Winter",  "Kingdom", "Night",  "Promise",    "Island",   "Machine",
    "Letter",  "Storm",   "Mirror", "Harbor",     "Circus",   "Frontier",
    "Orchard", "Signal",  "Empire", "Lighthouse", "Carnival", "Tide",
};

constexpr std::string_view kSpanishTitleNouns[] = {
    "Noche",  "Ciudad",    "Pampa",   "Memoria", "Frontera", "Tango",
    "Río",    "Silencio",  "Viento",  "Corazón", "Camino",   "Invierno",
    "Sombra", "Patagonia", "Fábrica", "Familia",
};

constexpr std::string_view kSpanishTitleAdjectives[] = {
    "perdida", "eterna", "secreta", "olvidada", "última",
    "salvaje", "quieta", "dorada",  "rota",     "lejana",
};

constexpr std::string_view kFirstNames[] = {
    "James",   "Mary",    "John",    "Patricia",  "Robert", "Jennifer",
    "Michael", "Linda",   "William", "Elizabeth", "David",  "Susan",
    "Richard", "Jessica", "Joseph",  "Sarah",     "Thomas", "Karen",
    "Pierre",  "Amélie",  "Hans",    "Greta",     "Kenji",  "Yuki",
    "Raj",     "Priya",   "Min-jun", "Seo-yeon",  "Sean",   "Siobhan",
};

constexpr std::string_view kLastNames[] = {
    "Smith",  "Johnson", "Williams", "Brown",   "Jones",   "Miller",
    "Davis",  "Wilson",  "Anderson", "Taylor",  "Moore",   "Jackson",
    "Martin", "Lee",     "Thompson", "White",   "Harris",  "Clark",
    "Dubois", "Lefèvre", "Müller",   "Schmidt", "Tanaka",  "Suzuki",
    "Sharma", "Kapoor",  "Kim",      "Park",    "O'Brien", "O'Connor",
};

constexpr std::string_view kSpanishFirstNames[] = {
    "Ricardo",   "Cecilia", "Federico", "Mercedes", "Julián",   "Soledad",
    "Guillermo", "Norma",   "Héctor",   "Inés",     "Leonardo", "Graciela",
    "Darío",     "Valeria", "Ramiro",   "Luisina",  "Óscar",    "Belén",
};

constexpr std::string_view kSpanishLastNames[] = {
    "Ferreyra", "Bianchi", "Gómez",  "Sbaraglia", "Peretti", "Aráoz",
    "Castro",   "Duarte",  "Núñez",  "Rivas",     "Medina",  "Ortiz",
    "Quiroga",  "Álvarez", "Suárez", "Benítez",
};

constexpr std::string_view kCompanyWords[] = {
    "Paramount",     "Northern Lights", "Río Negro", "Blue Harbor", "Pampa",
    "Silver Screen", "Estudio Sur",     "Lumière",   "Red Lantern", "Atlas",
};

constexpr std::string_view kCharacters[] = {
    "Himself",     "Narrator",     "The Doctor",    "Detective Ruiz",
    "Mother",      "Young Tomás",  "Captain",       "Nurse",
    "Waiter",      "The Stranger", "Woody (voice)", "Sheriff \"Red\" Walker",
    "Mrs. O'Hara",
};

constexpr std::string_view kJobs[] = {
    "Director",
    "Screenplay",
    "Producer",
    "Original Music Composer",
    "Director of Photography",
    "Editor",
};

constexpr std::string_view kTaglines[] = {
    "Some secrets never sleep.",    "One night. One city. One chance.",
    "Based on the \"true\" story.", "Nobody goes home, ever again",
    "The adventure of a lifetime",  "It's not the end. It's the beginning.",
};

constexpr std::string_view kPositiveSentences[] = {
    "A shy baker finds love and friendship in a small town",
    "Two old friends reunite for one last wonderful summer",
    "With courage and a little magic, a young girl rescues her family",
    "A charming comedy about a happy wedding that goes delightfully astray",
    "An inspiring story of hope, kindness and victory against the odds",
    "Together, a brave team of misfits wins the championship",
    "A heartwarming tale of a loyal dog and the boy who loves him",
    "She dreams of dancing tango, and her grandmother's gift sets her free",
    "A brilliant teacher inspires a class of \"hopeless\" students",
    "In this joyful musical, laughter heals a divided village",
};

constexpr std::string_view kNegativeSentences[] = {
    "A ruthless killer stalks the streets of a corrupt city",
    "After a brutal war, a soldier returns home to find his brother dead",
    "Betrayed by his partner, a desperate detective seeks revenge",
    "A family is trapped in a haunted house with a deadly secret",
    "Violence and corruption destroy a small mining town",
    "A lonely widow sinks into grief, fear and despair",
    "The victims of a terrible crime are missing, and the police fail",
    "A cursed ship carries a monster and a terrifying plague of death",
    "In a dark prison, the \"guilty\" man struggles to survive",
    "Panic spreads as an awful disaster threatens the capital",
};

constexpr std::string_view kNeutralSentences[] = {
    "Based on the novel by an anonymous author",
    "Set in Buenos Aires in 1978",
    "The film follows a journalist, a lawyer and a priest",
    "Nobody knows what happened on the night of the \"accident\"",
    "Shot in Madrid, Rosario and Montevideo",
    "It's a story told in three chapters",
    "A retired engineer travels to the south of the country",
    "The documentary interviews farmers, workers and musicians",
};

constexpr Vocabulary kVocabulary = {
    kCountries,
    kGenres,
    kLanguages,
    kTitleAdjectives,
    kTitleNouns,
    kSpanishTitleNouns,
    kSpanishTitleAdjectives,
    kFirstNames,
    kLastNames,
    kSpanishFirstNames,
    kSpanishLastNames,
    kCompanyWords,
    kCharacters,
    kJobs,
    kTaglines,
    kPositiveSentences,
    kNegativeSentences,
    kNeutralSentences,
};

}  // namespace

const Vocabulary& GetVocabulary() { return kVocabulary; }

}  // namespace chancho::movies
