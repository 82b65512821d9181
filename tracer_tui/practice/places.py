"""Belgian places for fake people: real postcode/municipality pairs, area codes, street names.

Small hand-written tables, not a gazetteer: enough variety for training and seeding, and
every postcode here really belongs to the municipality (or sub-municipality) next to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Region(StrEnum):
    BRUSSELS = "brussels"
    FLANDERS = "flanders"
    WALLONIA = "wallonia"
    EAST_BELGIUM = "east_belgium"  # the German-speaking Community, in the province of Liège


@dataclass(frozen=True, slots=True)
class Place:
    """A postcode with its municipality name(s) and the landline zone that serves it."""

    postcode: str
    name: str  # official name in the region's language (French in Brussels)
    area_code: str  # national prefix without the trunk 0: "2" for 02, "87" for 087
    weight: int = 1  # rough relative population, for weighted choice
    name_nl: str | None = None  # Dutch name, for the bilingual Brussels municipalities


BRUSSELS: tuple[Place, ...] = (
    Place("1000", "Bruxelles", "2", 6, "Brussel"),
    Place("1020", "Laeken", "2", 2, "Laken"),
    Place("1030", "Schaerbeek", "2", 4, "Schaarbeek"),
    Place("1040", "Etterbeek", "2", 2, "Etterbeek"),
    Place("1050", "Ixelles", "2", 3, "Elsene"),
    Place("1060", "Saint-Gilles", "2", 2, "Sint-Gillis"),
    Place("1070", "Anderlecht", "2", 4, "Anderlecht"),
    Place("1080", "Molenbeek-Saint-Jean", "2", 3, "Sint-Jans-Molenbeek"),
    Place("1081", "Koekelberg", "2", 1, "Koekelberg"),
    Place("1082", "Berchem-Sainte-Agathe", "2", 1, "Sint-Agatha-Berchem"),
    Place("1083", "Ganshoren", "2", 1, "Ganshoren"),
    Place("1090", "Jette", "2", 2, "Jette"),
    Place("1140", "Evere", "2", 1, "Evere"),
    Place("1150", "Woluwe-Saint-Pierre", "2", 2, "Sint-Pieters-Woluwe"),
    Place("1160", "Auderghem", "2", 1, "Oudergem"),
    Place("1170", "Watermael-Boitsfort", "2", 1, "Watermaal-Bosvoorde"),
    Place("1180", "Uccle", "2", 3, "Ukkel"),
    Place("1190", "Forest", "2", 2, "Vorst"),
    Place("1200", "Woluwe-Saint-Lambert", "2", 2, "Sint-Lambrechts-Woluwe"),
    Place("1210", "Saint-Josse-ten-Noode", "2", 1, "Sint-Joost-ten-Node"),
)

WALLONIA: tuple[Place, ...] = (
    Place("1300", "Wavre", "10", 2),
    Place("1330", "Rixensart", "2", 1),
    Place("1340", "Ottignies", "10", 1),
    Place("1348", "Louvain-la-Neuve", "10", 1),
    Place("1400", "Nivelles", "67", 2),
    Place("1410", "Waterloo", "2", 2),
    Place("1420", "Braine-l'Alleud", "2", 2),
    Place("4000", "Liège", "4", 6),
    Place("4020", "Liège", "4", 3),
    Place("4040", "Herstal", "4", 2),
    Place("4100", "Seraing", "4", 3),
    Place("4400", "Flémalle", "4", 1),
    Place("4430", "Ans", "4", 1),
    Place("4500", "Huy", "85", 1),
    Place("4800", "Verviers", "87", 3),
    Place("4900", "Spa", "87", 1),
    Place("5000", "Namur", "81", 4),
    Place("5060", "Sambreville", "71", 2),
    Place("5100", "Jambes", "81", 1),
    Place("5300", "Andenne", "85", 1),
    Place("5500", "Dinant", "82", 1),
    Place("6000", "Charleroi", "71", 5),
    Place("6001", "Marcinelle", "71", 2),
    Place("6200", "Châtelet", "71", 1),
    Place("6600", "Bastogne", "61", 1),
    Place("6700", "Arlon", "63", 2),
    Place("6800", "Libramont-Chevigny", "61", 1),
    Place("6900", "Marche-en-Famenne", "84", 1),
    Place("7000", "Mons", "65", 4),
    Place("7100", "La Louvière", "64", 3),
    Place("7130", "Binche", "64", 1),
    Place("7500", "Tournai", "69", 3),
    Place("7700", "Mouscron", "56", 2),
    Place("7800", "Ath", "68", 1),
)

FLANDERS: tuple[Place, ...] = (
    Place("1500", "Halle", "2", 2),
    Place("1700", "Dilbeek", "2", 2),
    Place("1780", "Wemmel", "2", 1),
    Place("1800", "Vilvoorde", "2", 2),
    Place("1930", "Zaventem", "2", 2),
    Place("2000", "Antwerpen", "3", 6),
    Place("2018", "Antwerpen", "3", 3),
    Place("2100", "Deurne", "3", 3),
    Place("2140", "Borgerhout", "3", 2),
    Place("2300", "Turnhout", "14", 2),
    Place("2400", "Mol", "14", 1),
    Place("2500", "Lier", "3", 2),
    Place("2600", "Berchem", "3", 2),
    Place("2800", "Mechelen", "15", 4),
    Place("2900", "Schoten", "3", 2),
    Place("3000", "Leuven", "16", 4),
    Place("3001", "Heverlee", "16", 2),
    Place("3290", "Diest", "13", 1),
    Place("3300", "Tienen", "16", 2),
    Place("3500", "Hasselt", "11", 4),
    Place("3600", "Genk", "89", 3),
    Place("3700", "Tongeren", "12", 2),
    Place("3800", "Sint-Truiden", "11", 2),
    Place("8000", "Brugge", "50", 4),
    Place("8300", "Knokke-Heist", "50", 2),
    Place("8400", "Oostende", "59", 3),
    Place("8500", "Kortrijk", "56", 3),
    Place("8800", "Roeselare", "51", 3),
    Place("8900", "Ieper", "57", 2),
    Place("9000", "Gent", "9", 7),
    Place("9100", "Sint-Niklaas", "3", 3),
    Place("9200", "Dendermonde", "52", 2),
    Place("9300", "Aalst", "53", 3),
    Place("9400", "Ninove", "54", 2),
    Place("9700", "Oudenaarde", "55", 1),
    Place("9800", "Deinze", "9", 1),
)

EAST_BELGIUM: tuple[Place, ...] = (
    Place("4700", "Eupen", "87", 6),
    Place("4710", "Lontzen", "87", 2),
    Place("4720", "Kelmis", "87", 3),
    Place("4730", "Raeren", "87", 3),
    Place("4750", "Bütgenbach", "80", 2),
    Place("4760", "Büllingen", "80", 2),
    Place("4770", "Amel", "80", 2),
    Place("4780", "Sankt Vith", "80", 3),
    Place("4790", "Burg-Reuland", "80", 1),
)

PLACES: dict[Region, tuple[Place, ...]] = {
    Region.BRUSSELS: BRUSSELS,
    Region.FLANDERS: FLANDERS,
    Region.WALLONIA: WALLONIA,
    Region.EAST_BELGIUM: EAST_BELGIUM,
}

# Belgian mobile prefixes in use (046x, 047x, 048x, 049x); eight national digits follow 4.
MOBILE_PREFIXES = (
    "460",
    "465",
    "466",
    "467",
    "468",
    *(f"4{tens}{unit}" for tens in "789" for unit in "0123456789"),
)
# Allowed first subscriber digit per landline zone; the others start with 2-8.
LANDLINE_FIRST_DIGIT = {"4": "23", "9": "234"}
LANDLINE_FIRST_DIGIT_DEFAULT = "2345678"

# Streets that exist under one name or another in most towns of the region.
STREETS_FR: tuple[str, ...] = (
    "Rue de la Station",
    "Rue de l'Église",
    "Rue du Moulin",
    "Rue des Écoles",
    "Rue de la Gare",
    "Rue du Château",
    "Rue des Prés",
    "Rue de la Chapelle",
    "Rue Haute",
    "Rue Basse",
    "Rue Neuve",
    "Rue du Centre",
    "Rue des Champs",
    "Rue de la Fontaine",
    "Rue du Bois",
    "Rue des Alouettes",
    "Rue de la Paix",
    "Rue de la Liberté",
    "Rue des Combattants",
    "Rue Saint-Martin",
    "Rue Joseph Wauters",
    "Rue Émile Vandervelde",
    "Avenue Albert Ier",
    "Avenue Reine Astrid",
    "Avenue des Tilleuls",
    "Avenue du Parc",
    "Boulevard Léopold II",
    "Place Communale",
    "Grand-Place",
    "Chemin des Meuniers",
    "Allée des Hêtres",
    "Chaussée de Bruxelles",
    "Chaussée de Namur",
    "Chaussée de Louvain",
)

STREETS_NL: tuple[str, ...] = (
    "Kerkstraat",
    "Stationsstraat",
    "Molenstraat",
    "Dorpsstraat",
    "Schoolstraat",
    "Nieuwstraat",
    "Kapelstraat",
    "Veldstraat",
    "Beekstraat",
    "Hoogstraat",
    "Bosstraat",
    "Brugstraat",
    "Meersstraat",
    "Heirbaan",
    "Kouter",
    "Markt",
    "Grote Markt",
    "Lindenlaan",
    "Kastanjelaan",
    "Berkenlaan",
    "Koning Albertlaan",
    "Koningin Astridlaan",
    "Sint-Jansstraat",
    "Pastoor Cooremansstraat",
    "Guido Gezellestraat",
    "Hendrik Consciencestraat",
    "Leuvensesteenweg",
    "Gentsesteenweg",
    "Brusselsesteenweg",
    "Kortrijksesteenweg",
    "Populierenstraat",
    "Vijverstraat",
)

STREETS_DE: tuple[str, ...] = (
    "Kirchstraße",
    "Bahnhofstraße",
    "Hauptstraße",
    "Klosterstraße",
    "Aachener Straße",
    "Herbesthaler Straße",
    "Malmedyer Straße",
    "Neustraße",
    "Gospertstraße",
    "Bergstraße",
    "Schulstraße",
    "Dorfstraße",
    "Talstraße",
    "Feldstraße",
    "Waldstraße",
    "Lindenallee",
    "Mühlenweg",
    "Kirchweg",
    "Hochstraße",
    "Am Bahnhof",
    "Marktplatz",
    "Rathausplatz",
    "Hisselsgasse",
    "Judenstraße",
)

# Brussels: (French, Dutch) names of the same street.
STREETS_BRUSSELS: tuple[tuple[str, str], ...] = (
    ("Avenue Louise", "Louizalaan"),
    ("Rue de la Loi", "Wetstraat"),
    ("Rue Belliard", "Belliardstraat"),
    ("Chaussée de Waterloo", "Waterloosesteenweg"),
    ("Chaussée d'Ixelles", "Elsensesteenweg"),
    ("Chaussée de Wavre", "Waversesteenweg"),
    ("Avenue de Tervueren", "Tervurenlaan"),
    ("Boulevard du Souverain", "Vorstlaan"),
    ("Avenue Brugmann", "Brugmannlaan"),
    ("Rue Haute", "Hoogstraat"),
    ("Rue Royale", "Koningsstraat"),
    ("Rue de la Station", "Stationsstraat"),
    ("Rue de l'Église", "Kerkstraat"),
    ("Rue du Moulin", "Molenstraat"),
    ("Avenue des Celtes", "Keltenlaan"),
    ("Avenue de la Couronne", "Kroonlaan"),
    ("Rue Vanderkindere", "Vanderkinderestraat"),
    ("Chaussée de Gand", "Gentsesteenweg"),
    ("Rue Gray", "Graystraat"),
    ("Avenue Jules Bordet", "Jules Bordetlaan"),
)

# Family names common in East Belgium, mixed with the German locales' names.
SURNAMES_EAST_BELGIUM: tuple[str, ...] = (
    "Backes",
    "Cormann",
    "Gennen",
    "Heinen",
    "Hilligsmann",
    "Jost",
    "Jousten",
    "Kessler",
    "Klinkenberg",
    "Kohnen",
    "Kreutz",
    "Lambertz",
    "Lentz",
    "Maraite",
    "Margraff",
    "Mockel",
    "Nelles",
    "Paasch",
    "Pankert",
    "Radermacher",
    "Reuter",
    "Schmitz",
    "Servais",
    "Thelen",
    "Theissen",
)
