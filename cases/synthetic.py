"""Synthetic, realistic case studies for benchmarks and load tests, as rows or as seed text.

`generate(n, seed)` is pure: the same arguments give the same cases. `write_database`
inserts them with bulk operations; `to_seed_text` writes them in the seed text format,
so that `import_cases` can be benchmarked on the very same data.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from django.db import connection, transaction

from . import seed
from .models import (
    Case,
    CaseOrganization,
    CatalogueState,
    Contact,
    Organization,
    Region,
    Theme,
    search_document,
    unique_slug,
)

SOURCE_FILE = "generated"
SOURCE_FACTS = ["title", "description", "organizations", "region"]
BATCH_SIZE = 1000
MIN_WORDS, MAX_WORDS = 100, 250
WOMEN_SHARE = 0.3


def _table(text: str) -> tuple[tuple[str, ...], ...]:
    """Rows of a text table: one row a line, cells separated by `|`."""
    return tuple(
        tuple(cell.strip() for cell in line.split("|")) for line in text.strip().splitlines()
    )


def _words(text: str) -> tuple[str, ...]:
    """Items of a comma-separated list that may span lines."""
    return tuple(word.strip() for word in text.replace("\n", " ").split(","))


def _keyed(text: str) -> dict[str, tuple[str, ...]]:
    """Comma-separated lists by key: `key: a, b, c`, continued on indented lines."""
    lists: dict[str, str] = {}
    for line in text.strip().splitlines():
        if not line.startswith(" "):
            key, line = line.split(":", 1)
            lists[key] = ""
        lists[key] += f" {line}"
    return {key: _words(items) for key, items in lists.items()}


def _blocks(text: str) -> tuple[str, ...]:
    """Paragraphs of a text: blocks separated by blank lines, their lines joined by spaces."""
    return tuple(" ".join(block.split("\n")) for block in text.strip().split("\n\n"))


# --- Vocabulary: places, people and the words of the social and solidarity economy ---


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    region: str
    languages: tuple[str, ...]
    name_groups: tuple[str, ...]
    cities: tuple[str, ...]


# ISO code | English name | region | languages of organization names | name groups | cities
_COUNTRY_TABLE = _table(
    """
ZA | South Africa | Africa | en | southern_africa | Johannesburg, Cape Town, Durban, Gqeberha
KE | Kenya | Africa | en | east_africa | Nairobi, Kisumu, Mombasa
UG | Uganda | Africa | en | east_africa | Kampala, Gulu, Mbarara
TZ | Tanzania | Africa | en | east_africa | Dar es Salaam, Arusha, Mwanza
NG | Nigeria | Africa | en | west_africa | Lagos, Ibadan, Kano
GH | Ghana | Africa | en | west_africa | Accra, Kumasi, Tamale
SN | Senegal | Africa | fr | west_africa | Dakar, Thiès, Saint-Louis
CI | Côte d'Ivoire | Africa | fr | west_africa | Abidjan, Bouaké, Yamoussoukro
BF | Burkina Faso | Africa | fr | west_africa | Ouagadougou, Bobo-Dioulasso, Koudougou
CM | Cameroon | Africa | fr | west_africa | Yaoundé, Douala, Bafoussam
MA | Morocco | Africa | fr | arabic | Casablanca, Fès, Agadir, Marrakech
TN | Tunisia | Africa | fr | arabic | Tunis, Sfax, Sousse
MZ | Mozambique | Africa | pt | southern_africa | Maputo, Beira, Nampula
IN | India | Asia | en | south_asia | Ahmedabad, Mumbai, Kolkata, Chennai
PK | Pakistan | Asia | en | south_asia | Lahore, Karachi, Faisalabad
BD | Bangladesh | Asia | en | south_asia | Dhaka, Chattogram, Khulna
NP | Nepal | Asia | en | south_asia | Kathmandu, Pokhara, Lalitpur
PH | Philippines | Asia | en | filipino | Quezon City, Cebu City, Davao City
ID | Indonesia | Asia | en | indonesian | Yogyakarta, Bandung, Surabaya
VN | Viet Nam | Asia | vi | vietnamese | Hà Nội, Huế, Đà Nẵng, Cần Thơ
TH | Thailand | Asia | en | thai | Chiang Mai, Bangkok, Khon Kaen
KR | Republic of Korea | Asia | en | korean | Seoul, Gwangju, Wonju
JP | Japan | Asia | en | japanese | Kyōto, Ōsaka, Sendai
ES | Spain | Europe | es | spanish | Barcelona, Bilbao, Sevilla, A Coruña
FR | France | Europe | fr | french | Lyon, Montreuil, Besançon, Nantes
IT | Italy | Europe | it | italian | Bologna, Trento, Napoli, Forlì
PT | Portugal | Europe | pt | portuguese | Lisboa, Porto, Coimbra
DE | Germany | Europe | de | german | München, Köln, Leipzig, Göttingen
AT | Austria | Europe | de | german | Wien, Graz, Linz
BE | Belgium | Europe | fr | french | Liège, Bruxelles, Charleroi
GR | Greece | Europe | en | greek | Athína, Thessaloníki, Pátra
PL | Poland | Europe | en | polish | Kraków, Łódź, Gdańsk
SE | Sweden | Europe | en | nordic | Malmö, Göteborg, Umeå
GB | United Kingdom | Europe | en | english | Glasgow, Manchester, Cardiff
IE | Ireland | Europe | en | english | Dublin, Cork, Galway
BR | Brazil | Latin America | pt | portuguese | São Paulo, Belo Horizonte, Porto Alegre, Recife
AR | Argentina | Latin America | es | spanish | Buenos Aires, Rosario, Córdoba, Mendoza
UY | Uruguay | Latin America | es | spanish | Montevideo, Paysandú, Salto
CL | Chile | Latin America | es | spanish | Santiago, Valparaíso, Concepción
PE | Peru | Latin America | es | spanish andean | Lima, Cusco, Arequipa, Puno
BO | Bolivia | Latin America | es | spanish andean | La Paz, El Alto, Cochabamba, Sucre
EC | Ecuador | Latin America | es | spanish andean | Quito, Cuenca, Guayaquil
CO | Colombia | Latin America | es | spanish | Bogotá, Medellín, Cali
MX | Mexico | Latin America | es | spanish | Ciudad de México, Oaxaca de Juárez, Mérida, Guadalajara
GT | Guatemala | Latin America | es | spanish | Quetzaltenango, Antigua Guatemala, Cobán
SV | El Salvador | Latin America | es | spanish | San Salvador, Santa Ana, San Miguel
NI | Nicaragua | Latin America | es | spanish | Managua, León, Estelí
CR | Costa Rica | Latin America | es | spanish | San José, Cartago, Limón
PY | Paraguay | Latin America | es | spanish | Asunción, Encarnación, Ciudad del Este
TR | Türkiye | Middle East | tr | turkish | İstanbul, Ankara, İzmir, Diyarbakır
LB | Lebanon | Middle East | en fr | arabic | Beirut, Saïda, Zahlé
JO | Jordan | Middle East | en | arabic | Amman, Irbid, Zarqa
PS | Palestine | Middle East | en | arabic | Ramallah, Nablus, Bethlehem
IQ | Iraq | Middle East | en | arabic | Erbil, Mosul, Basra
US | United States | North America | en | english spanish | Cleveland, Oakland, Jackson, New York
CA | Canada | North America | en fr | english french | Montréal, Québec, Winnipeg, Halifax
AU | Australia | Oceania | en | english | Melbourne, Brisbane, Alice Springs
NZ | New Zealand | Oceania | en | english pacific | Auckland, Wellington, Christchurch
FJ | Fiji | Oceania | en | pacific | Suva, Lautoka, Nadi
PG | Papua New Guinea | Oceania | en | pacific | Port Moresby, Lae, Goroka
WS | Samoa | Oceania | en | pacific | Apia, Salelologa
VU | Vanuatu | Oceania | en fr | pacific | Port Vila, Luganville
"""
)
COUNTRIES = tuple(
    Country(code, name, region, tuple(languages.split()), tuple(groups.split()), _words(cities))
    for code, name, region, languages, groups, cities in _COUNTRY_TABLE
)
REGION_WEIGHTS = {
    "Africa": 18,
    "Asia": 17,
    "Europe": 21,
    "Latin America": 25,
    "Middle East": 6,
    "North America": 7,
    "Oceania": 6,
}
KIND_WEIGHTS = {
    "sse-organization": 45,
    "government-and-public-agency": 20,
    "academic-and-research-institution": 10,
    "international-organization": 8,
    "private-sector": 10,
    "other": 7,
}

# Given names of women and men and family names, by name group.
PEOPLE = _keyed(
    """
spanish women: Elisenda, María José, Lucía, Begoña, Ximena, Ainhoa, Rocío, Inés
spanish men: Guillermo, Jesús, Andrés, Íñigo, Joaquín, Raúl, Sebastián, Martín
spanish families: Vegué Gisbert, Muñoz, Ibáñez, Fernández, Núñez, Etxeberria, Peña, Gutiérrez,
    Sánchez Ruiz
andean women: Nayra, Wayra, Sisa, Killa
andean men: Amaru, Yupanqui, Inti, Huáscar
andean families: Quispe Mamani, Quispe, Condori, Huamán, Choque, Mamani Flores, Ticona
portuguese women: Conceição, Luíza, Márcia, Joana, Aparecida, Fátima
portuguese men: João, Sebastião, Antônio, Luís, Tomás, Zé Maria
portuguese families: Gonçalves, Araújo, Simões, Magalhães, Brandão, Lopes da Silva
french women: Hélène, Sévérine, Chloé, Élodie, Anaïs, Margaux
french men: François, Jérôme, Rémi, Loïc, Benoît, Théo
french families: Lefèvre, Girard, Béranger, Deschênes, Côté, Moreau, Tremblay
italian women: Chiara, Lucrezia, Federica, Giulia
italian men: Niccolò, Lorenzo, Gianluca, Mattia
italian families: Esposito, De Luca, Colombo, Ferrà, Zanetti, Lucà
german women: Jutta, Anneliese, Käthe, Sophie, Lena, Bärbel
german men: Jörg, Lukas, Tobias, Günther, Matthias, Björn
german families: Müller, Schäfer, Weiß, Groß, Köhler, Bäcker, Hoffmann
greek women: Eleni, Katerina, Dímitra, Sofía
greek men: Giorgos, Nikos, Yannis, Stávros
greek families: Papadopoulou, Nikolaídis, Georgíou, Kontogiánni
polish women: Małgorzata, Agnieszka, Zofia, Joanna
polish men: Paweł, Łukasz, Wojciech, Bartłomiej
polish families: Wiśniewska, Kowalczyk, Wójcik, Zieliński, Żak
nordic women: Åsa, Ingrid, Sölvi, Karin
nordic men: Björn, Göran, Øystein, Lars
nordic families: Lindqvist, Åkesson, Sjöberg, Bergström
english women: Mary, Siobhán, Grace, Hannah, Aoife, Olivia
english men: John, Seán, David, Peter, Michael, Liam
english families: Smith, O'Brien, MacLeod, Walker, Hughes, Ó Briain, Thompson
turkish women: Ayşe, Gülşen, Çiğdem, Şükran, Zeynep, Özlem
turkish men: Çağlar, Ömer, Barış, Uğur, Mehmet, İlker
turkish families: Yılmaz, Şahin, Öztürk, Çelik, Güneş, Doğan, Aydın
arabic women: Fatima, Rania, Layla, Nour, Samira, Hanan
arabic men: Omar, Karim, Youssef, Tarek, Ahmad, Said
arabic families: El Amrani, Haddad, Khoury, Ben Salah, Nasser, Al-Tamimi, Aït Ouali
west_africa women: Aïssatou, Fatoumata, Adjoa, Ngozi, Mariam, Yaa
west_africa men: Moussa, Kwame, Chukwuemeka, Ousmane, Kofi, Seydou
west_africa families: Diallo, Ndiaye, Mensah, Okonkwo, Traoré, Ouédraogo, Sow, Adébáyọ̀
east_africa women: Wanjiru, Amani, Neema, Achieng, Zawadi
east_africa men: Baraka, Otieno, Juma, Mugisha, Kiprono
east_africa families: Mwangi, Nakato, Odhiambo, Kamau, Mutesi, Njoroge
southern_africa women: Thandiwe, Nomvula, Lindiwe, Ana Paula
southern_africa men: Sipho, Themba, Lwazi, Armando
southern_africa families: Dlamini, Nkosi, Mahlangu, Macuácua, Sitoe, Khumalo
south_asia women: Renana, Ela, Shabnam, Sunita, Farzana, Anjali
south_asia men: Rajesh, Imran, Arjun, Sajid, Prakash, Anwar
south_asia families: Bhatt, Jhabvala, Akhtar, Hossain, Shrestha, Gurung, Iyer, Chaudhry
filipino women: Maria Luisa, Rosario, Ligaya, Marites
filipino men: José Maria, Rodrigo, Dante, Efrén
filipino families: Dela Cruz, Santos, Bautista, Villanueva, Magbanua
indonesian women: Sri, Dewi, Wulan, Ratna
indonesian men: Budi, Agus, Eko, Wahyu
indonesian families: Wulandari, Santoso, Pratama, Hidayat, Kusumawati
vietnamese women: Thị Lan, Thị Hương, Thu Hà, Ngọc Ánh
vietnamese men: Văn Minh, Đức Anh, Quốc Bảo, Hữu Phước
vietnamese families: Nguyễn, Trần, Lê, Phạm, Hoàng, Đặng
thai women: Siriporn, Kanokwan, Ploy, Nongnuch
thai men: Somchai, Anan, Prasert, Kittisak
thai families: Wongsakul, Srisuk, Chaiyaporn, Rattanakorn
korean women: Min-ji, Seo-yeon, Ji-eun, Hye-jin
korean men: Min-jun, Sung-ho, Jae-won, Dong-hyun
korean families: Kim, Lee, Park, Choi, Jeong
japanese women: Yūko, Keiko, Aiko, Haruka
japanese men: Kenji, Shōta, Hiroshi, Takumi
japanese families: Satō, Itō, Kōno, Yamamoto, Ōta
pacific women: Mere, Losana, Talia, Aroha, Sera
pacific men: Sione, Tevita, Manu, Wiremu, Ratu
pacific families: Tuilagi, Naidu, Faleolo, Ngata, Kepa, Rokoduru
"""
)
FAMILY_NAME_FIRST = {"vietnamese", "korean", "japanese"}
# Roles of contacts: most in English, some in the language of their organization's name.
ROLES = _keyed(
    """
en: Coordinator, President, General Secretary, Treasurer, Founding member, Executive Director,
    Programme Officer, Project Manager, Research Fellow, Head of the Social Economy Unit,
    Director of Local Development, Advisor on Cooperative Policy,
    Coordinator of the Solidarity Economy Commission, Chief of Operations and Other Economies
es: Coordinación General, Responsable de Comercialización, Secretaría Técnica,
    Presidencia de la Cooperativa
pt: Coordenação Executiva, Assessoria Técnica, Direção Financeira, Presidência da Cooperativa
fr: Direction Générale, Responsable du Pôle Économie Sociale et Solidaire, Chargé de Mission
de: Vorstandsmitglied, Geschäftsführung, Projektleitung
it: Presidente, Responsabile Progetti, Coordinatore Sociale
tr: Kooperatif Başkanı, Yönetim Kurulu Üyesi, Proje Koordinatörü
vi: Chủ nhiệm Hợp tác xã, Phó Chủ tịch, Cán bộ Dự án
"""
)

# Words of organization names, by language: who an organization gathers, which office it is.
TRADES = _keyed(
    """
en: Waste Pickers, Home-Based Workers, Street Vendors, Domestic Workers, Fishers, Weavers,
    Smallholder Farmers, Artisans, Garment Workers, Market Traders, Women Producers, Young Farmers
es: Recicladores, Trabajadoras del Hogar, Artesanas, Vendedores Ambulantes, Pescadores Artesanales,
    Caficultores, Tejedoras, Productores Agroecológicos, Costureras, Mujeres Emprendedoras,
    Jóvenes Rurales
pt: Catadores de Materiais Recicláveis, Costureiras, Artesãs, Agricultores Familiares,
    Pescadores Artesanais, Trabalhadoras Domésticas, Vendedores Ambulantes, Quebradeiras de Coco,
    Mulheres Rurais
fr: Récupérateurs, Tisserandes, Artisanes, Maraîchers, Pêcheurs, Vendeuses de Rue,
    Transformatrices de Karité, Couturières, Jeunes Agriculteurs
de: Handwerker, Landwirte, Näherinnen, Pflegekräfte, Energiebürger, Mieterinnen und Mieter
it: Raccoglitori, Artigiani, Agricoltori Sociali, Sarte, Pescatori, Lavoratori
tr: Atık Toplayıcıları, Ev Eksenli Çalışan Kadınlar, Kadın Üreticiler, Zanaatkârlar, Balıkçılar
vi: Người Thu Gom Phế Liệu, Phụ Nữ Làm Nghề Thủ Công, Nông Dân, Người Bán Hàng Rong, Thợ Dệt
"""
)
DEPARTMENTS = _keyed(
    """
en: Office of Economic Development, Department of Social Services, Local Employment Office,
    Community Development Agency, Solid Waste Department, Housing Authority,
    Office for Cooperative Development, Food Policy Council, Department of Youth Affairs,
    Office for Women and Gender Equality
es: Secretaría de Economía Social y Solidaria, Dirección de Desarrollo Económico Local,
    Concejalía de Empleo, Oficina Municipal de la Mujer, Dirección de Residuos Sólidos,
    Secretaría de Vivienda, Dirección de Juventud, Oficina de Comercio Justo
pt: Secretaria Municipal de Economia Solidária, Secretaria de Desenvolvimento Social,
    Departamento de Limpeza Urbana, Coordenadoria da Mulher, Secretaria de Habitação,
    Centro Público de Economia Solidária
fr: Direction de l'Économie Sociale et Solidaire, Service de l'Emploi, Mission Jeunesse,
    Service des Déchets, Office Municipal de l'Habitat, Délégation aux Droits des Femmes
de: Referat für Arbeit und Wirtschaft, Amt für Soziales, Wohnungsamt, Jugendamt,
    Amt für Abfallwirtschaft
it: Assessorato alle Politiche Sociali, Ufficio Economia Solidale, Servizio Lavoro, Ufficio Giovani,
    Settore Rifiuti
tr: Sosyal Hizmetler Daire Başkanlığı, Kadın ve Aile Hizmetleri Müdürlüğü, Gençlik Merkezi,
    Kooperatifçilik Birimi
vi: Sở Lao động, Hội Liên hiệp Phụ nữ, Ban Phát triển Hợp tác xã, Phòng Kinh tế
"""
)
# Names of mutual help in many languages, and coined names.
BRANDS = _words(
    """
Ayni, Minga, Tequio, Mutirão, Konbit, Harambee, Ubuntu, Sankofa, İmece, Bayanihan, Gotong Royong,
Meitheal, Dugnad, Talkoot, Tương Trợ, Labcoop, Ecosol, Solidar, Recicla, Nova Terra, Horizonte,
Semilla, Raíces, Esperança, Tierra Viva, Manos Unidas, Sumaq Kawsay, Arco Iris, Bien Commun,
Lianes, Mosaïque, Gemeinsam, Coopermundi, Fil Rouge, Terre Mère, Buen Vivir, La Colmena, El Telar,
Sol Naciente, Vai e Vem, Çember, Yeşil Umut, Kallpa, Jatun Sach'a, Tumaini, Nafasi, Siyakhana
"""
)
INTERNATIONAL_ORGANIZATIONS = _words(
    """
International Labour Organization, UN Women, UNDP, FAO, IFAD, UN-Habitat, UNICEF, UNRISD,
International Co-operative Alliance, WIEGO, RIPESS, World Fair Trade Organization, Oxfam,
HomeNet International, StreetNet International, Global Alliance of Waste Pickers
"""
)
FIELDS = _keyed(
    """
en: Social and Solidarity Economy, Cooperative Studies, Informal Economy, Feminist Economics,
    Local Development, Impact Measurement, Community Economies, Labour Studies
es: Economía Social y Solidaria, Estudios Cooperativos, Economía Informal, Economía Feminista,
    Desarrollo Local, Medición de Impacto
pt: Economia Solidária, Estudos Cooperativos, Economia Informal, Economia Feminista,
    Desenvolvimento Local, Tecnologia Social
fr: Économie Sociale et Solidaire, Études Coopératives, Économie Informelle, Économie Féministe,
    Développement Local, Mesure d'Impact
"""
)
# Organization names by language and kind; a kind a language lacks is named in English.
_ORGANIZATION_NAME_TABLE = _table(
    """
en | sse-organization | {city} {trade} Cooperative
en | sse-organization | {city} {trade} Association
en | sse-organization | {trade} Union of {city}
en | sse-organization | {brand} Cooperative
en | sse-organization | {brand} Savings and Credit Cooperative
en | sse-organization | {city} Solidarity Economy Network
en | sse-organization | {brand} Community Kitchen
en | sse-organization | {brand} Housing Cooperative
en | sse-organization | {brand} Fair Trade Cooperative
en | sse-organization | {city} Time Bank
en | government-and-public-agency | {city} City Council
en | government-and-public-agency | City of {city} {dept}
en | government-and-public-agency | {city} Municipal {dept}
en | government-and-public-agency | {country} Ministry of Labour and Employment
en | government-and-public-agency | {country} Cooperative Development Authority
en | government-and-public-agency | {city} District {dept}
en | international-organization | {io}, {country} Office
en | international-organization | {io} Office in {city}
en | international-organization | {io} Programme on {field}, {country}
en | international-organization | {io}, {region} Regional Office
en | international-organization | {io} Project on {field} in {city}
en | academic-and-research-institution | University of {city}
en | academic-and-research-institution | {city} Institute for {field}
en | academic-and-research-institution | Centre for {field}, University of {city}
en | academic-and-research-institution | {city} Polytechnic
en | academic-and-research-institution | Research Group on {field}, {city}
en | academic-and-research-institution | {country} Institute of {field}
en | private-sector | {brand} Fair Trade Ltd
en | private-sector | {brand} Microfinance Bank
en | private-sector | {family} and Partners
en | private-sector | {city} Recycling Company
en | private-sector | {brand} Social Enterprises
en | private-sector | {family} Organic Traders
en | other | {brand} Foundation
en | other | {city} Community Foundation
en | other | {family} Family Trust
en | other | {city} Neighbourhood Association
en | other | Friends of {brand}
en | other | {city} Faith Network for Social Justice
es | sse-organization | Cooperativa de {trade} de {city}
es | sse-organization | Asociación de {trade} de {city}
es | sse-organization | Cooperativa {brand}
es | sse-organization | Red de Economía Solidaria de {city}
es | sse-organization | Federación de Cooperativas de {trade}
es | sse-organization | Comedor Comunitario {brand}
es | sse-organization | Cooperativa de Vivienda {brand}
es | sse-organization | Mutual {brand}
es | sse-organization | Mercado Solidario de {city}
es | government-and-public-agency | Ayuntamiento de {city}
es | government-and-public-agency | Municipalidad de {city}
es | government-and-public-agency | Alcaldía de {city}
es | government-and-public-agency | {dept} de {city}
es | government-and-public-agency | Gobierno Regional de {city}
es | academic-and-research-institution | Universidad de {city}
es | academic-and-research-institution | Universidad Nacional de {city}
es | academic-and-research-institution | Instituto de Estudios Cooperativos de {city}
es | academic-and-research-institution | Observatorio de Economía Solidaria de {city}
es | academic-and-research-institution | Grupo de Investigación en {field}, {city}
es | private-sector | Café {brand} S.A.S
es | private-sector | {family} Hermanos Ltda
es | private-sector | Banco Solidario de {city}
es | private-sector | Distribuidora {brand}
es | private-sector | Comercio Justo {brand}
es | other | Fundación {brand}
es | other | Fundación {family}
es | other | Cáritas {city}
es | other | Asociación Vecinal de {city}
es | other | ONG {brand}
pt | sse-organization | Cooperativa de {trade} de {city}
pt | sse-organization | Associação de {trade} de {city}
pt | sse-organization | Cooperativa {brand}
pt | sse-organization | Fórum de Economia Solidária de {city}
pt | sse-organization | Banco Comunitário {brand}
pt | sse-organization | Rede {brand} de Comércio Justo
pt | government-and-public-agency | Prefeitura de {city}
pt | government-and-public-agency | Câmara Municipal de {city}
pt | government-and-public-agency | {dept} de {city}
pt | academic-and-research-institution | Universidade Federal de {city}
pt | academic-and-research-institution | Universidade de {city}
pt | academic-and-research-institution | Incubadora Tecnológica de Cooperativas Populares de {city}
pt | academic-and-research-institution | Núcleo de {field}, {city}
pt | private-sector | {brand} Comércio Justo Ltda
pt | private-sector | {family} & Filhos
pt | private-sector | Reciclagem {brand}
pt | other | Fundação {brand}
pt | other | Instituto {family}
pt | other | Cáritas {city}
pt | other | Associação de Moradores de {city}
fr | sse-organization | Coopérative des {trade} de {city}
fr | sse-organization | Association des {trade} de {city}
fr | sse-organization | Coopérative {brand}
fr | sse-organization | Mutuelle de Santé {brand}
fr | sse-organization | Réseau d'Économie Solidaire de {city}
fr | sse-organization | Tontine {brand}
fr | sse-organization | Épicerie Solidaire {brand}
fr | government-and-public-agency | Ville de {city}
fr | government-and-public-agency | Mairie de {city}
fr | government-and-public-agency | {dept}, {city}
fr | government-and-public-agency | Conseil Régional de {city}
fr | academic-and-research-institution | Université de {city}
fr | academic-and-research-institution | Institut de Recherche en {field}, {city}
fr | academic-and-research-institution | Chaire d'Économie Sociale de {city}
fr | private-sector | {brand} Commerce Équitable SARL
fr | private-sector | {family} et Fils
fr | private-sector | Banque Solidaire {brand}
fr | other | Fondation {brand}
fr | other | Fondation {family}
fr | other | Secours Solidaire de {city}
fr | other | Maison de Quartier {brand}
de | sse-organization | Genossenschaft {brand}
de | sse-organization | {city}er {trade} eG
de | sse-organization | Wohnungsgenossenschaft {brand}
de | sse-organization | Energiegenossenschaft {city}
de | sse-organization | Netzwerk Solidarische Ökonomie {city}
de | government-and-public-agency | Stadt {city}
de | government-and-public-agency | {dept} {city}
de | government-and-public-agency | Landeshauptstadt {city}
de | academic-and-research-institution | Universität {city}
de | academic-and-research-institution | Institut für Genossenschaftswesen {city}
de | academic-and-research-institution | Hochschule {city}
de | academic-and-research-institution | Forschungsstelle für Sozialökonomie {city}
de | other | Stiftung {brand}
de | other | Bürgerstiftung {city}
it | sse-organization | Cooperativa Sociale {brand}
it | sse-organization | Consorzio di Cooperative {brand}
it | sse-organization | Cooperativa dei {trade} di {city}
it | sse-organization | Rete di Economia Solidale di {city}
it | government-and-public-agency | Comune di {city}
it | government-and-public-agency | {dept}, Comune di {city}
it | academic-and-research-institution | Università di {city}
it | academic-and-research-institution | Istituto di Ricerca sull'Impresa Sociale, {city}
it | academic-and-research-institution | Università degli Studi di {city}
it | academic-and-research-institution | Centro Studi sulla Cooperazione, {city}
it | other | Fondazione {brand}
it | other | Fondazione {family}
tr | sse-organization | {city} {trade} Kooperatifi
tr | sse-organization | {brand} Kadın Kooperatifi
tr | sse-organization | {city} Dayanışma Ekonomisi Ağı
tr | sse-organization | {brand} Tüketim Kooperatifi
tr | government-and-public-agency | {city} Büyükşehir Belediyesi
tr | government-and-public-agency | {city} Belediyesi {dept}
tr | academic-and-research-institution | {city} Üniversitesi
tr | academic-and-research-institution | {city} Üniversitesi Kooperatifçilik Araştırma Merkezi
tr | academic-and-research-institution | {city} Teknik Üniversitesi
tr | academic-and-research-institution | {city} Sosyal Ekonomi Enstitüsü
tr | other | {brand} Vakfı
tr | other | {city} Kadın Dayanışma Derneği
vi | sse-organization | Hợp tác xã {trade} {city}
vi | sse-organization | Hợp tác xã {brand}
vi | sse-organization | Tổ Tiết kiệm {brand}
vi | government-and-public-agency | Ủy ban Nhân dân {city}
vi | government-and-public-agency | {dept} {city}
vi | academic-and-research-institution | Đại học {city}
vi | academic-and-research-institution | Viện Nghiên cứu Kinh tế Hợp tác, {city}
vi | academic-and-research-institution | Trường Đại học Kinh tế {city}
vi | academic-and-research-institution | Trung tâm Nghiên cứu Giới và Phát triển, {city}
"""
)


def _by_language_and_kind(rows) -> dict[str, dict[str, list[str]]]:
    names: dict[str, dict[str, list[str]]] = {}
    for language, kind, template in rows:
        names.setdefault(language, {}).setdefault(kind, []).append(template)
    return names


ORGANIZATION_NAMES = _by_language_and_kind(_ORGANIZATION_NAME_TABLE)

# Case titles and descriptions, in English like the seed text.
PRACTICES = _words(
    """
Waste Pickers' Cooperative, Housing Cooperative, Community Kitchen, Solidarity Market,
Social Currency, Microfinance Fund, Fair Trade Network, Home-Based Workers' Network,
Savings and Credit Cooperative, Worker Cooperative, Community Land Trust, Time Bank,
Mutual Health Fund, Renewable Energy Cooperative, Agroecological Market, Care Cooperative,
Social Enterprise Incubator, Recycling Cooperative, Fishers' Cooperative, Participatory Budget,
Community Bank, Domestic Workers' Cooperative
"""
)
GROUPS = _words(
    """
waste pickers, home-based workers, domestic workers, street vendors, women artisans,
young farmers, small-scale fishers, migrant workers, garment workers, coffee growers,
market traders, unemployed youth, indigenous weavers, women recyclers
"""
)
GOALS = _keyed(
    """
Social Cohesion: Social Cohesion in Vulnerable Neighbourhoods, Living Together,
    Solidarity Beyond Crisis, Rebuilding Community Ties, Inclusion of Migrants and Refugees
Recognizing the Informal Economy: Recognition of Informal Workers,
    From Informality to Decent Work, Waste Management and Social Inclusion,
    Social Protection for Informal Workers, Street Vending Rights
Indicators and Measures of Impact: Measuring Social Impact, Indicators of Social Return,
    Counting What Matters, Local Development Indicators, Evaluating the Solidarity Economy
Women: Women's Economic Autonomy, Access to Credit for Women, Women's Leadership in Cooperatives,
    The Power of Standing On Your Own Two Feet, Care Work and Gender Equality
Youth: Youth Employment, Young People Building Cooperatives, A Future for Rural Youth,
    Youth Entrepreneurship and Solidarity, Training the Next Generation
"""
)
TITLES = _blocks(
    """
Cooperation Between the Municipality of {city} and {a_practice}: {goal}

{practice} in {city}: {goal}

{goal}: The {practice} of {city}

{Group} of {city} Build {a_practice}

From the Street to the Cooperative: {Group} in {city}

{goal} Through {a_practice} in {country}

{A_practice} for {Group} in {city}

{practice} and {practice2} in {city}

{goal} in {city}, {country}

The {brand} {practice}: {goal}
"""
)
# How a case led by an SSE organization may open; any case may open as SUPPORTED_OPENINGS do.
OPENINGS = _blocks(
    """
{org} is {a_practice} created in {year} in {city}, {country}, by {members} {group} who wanted to
earn a decent living together.

Founded in {year} as a small cooperative of {group} in {city}, {org} has become a reference of
the social and solidarity economy in {country}.

{org} brings together {members} {group} in {city}, {country}, around {a_practice} run on
cooperative principles.
"""
)
SUPPORTED_OPENINGS = _blocks(
    """
In {year}, {members} {group} of {city} ({country}) organized {a_practice} with the support of
{org}.

This case describes how {org} and the municipality of {city} built {a_practice} that today
gathers {members} {group}.

With the support of {org}, {members} {group} of {city} set up {a_practice} in {year}, after
years of working on their own.

This case follows {a_practice} of {group} that {org} has accompanied in {city}, {country}, since
{year}.
"""
)
SENTENCES = _blocks(
    """
Members share the work, the income and the decisions in a general assembly where each person has
one vote.

The cooperative negotiates prices collectively and sells through a solidarity market held every
week in the central square.

A revolving microfinance fund lends small amounts without collateral, and repayment rates stay
above {pct} percent.

The municipality of {city} provides premises, training and public procurement contracts reserved
for social enterprises.

A local social currency circulates among {members} households and more than {shops} small shops,
keeping wealth in the neighbourhood.

The community kitchen serves {meals} meals a day prepared with produce bought from
agroecological farmers of the region.

Fair trade certification opened export markets in Europe and North America, and the premium
finances health insurance for members.

The housing cooperative owns its buildings collectively, so rents stay affordable and no member
can be evicted for speculation.

Its members belong to the national federation of cooperatives and take part in the policy
dialogue on the social and solidarity economy law.

The experience has been replicated in {other_city}, where a second cooperative was registered
with the help of {partner}.

Profits are reinvested in the cooperative, in training and in a solidarity fund that supports
members in case of illness.

Researchers from a local university accompany the process and document its lessons for other
municipalities.

Challenges remain: access to finance, competition from private companies and the fragility of
public support after each election.

Every month, the assembly reviews the accounts openly, a practice that has built trust and
reduced the turnover of members.
"""
)
# Sentences a case that carries the theme is more likely to tell.
THEME_SENTENCES = {
    "Social Cohesion": _blocks(
        """
Neighbours of different origins now meet in the cooperative, and conflicts that once divided the
neighbourhood are settled through dialogue.

The project strengthened trust between the municipality, residents and migrant families, who now
take part in participatory budgeting.

During the economic crisis the solidarity network distributed food baskets and kept the local
economy alive when markets were closed.

Cultural festivals, a shared garden and a neighbourhood assembly bring together residents who
rarely met before the cooperative opened.
"""
    ),
    "Recognizing the Informal Economy": _blocks(
        """
Before the project, most members worked informally in the streets, without contracts, social
protection or recognition from the authorities.

Together with {partner}, the cooperative obtained identity cards and a legal status that
recognizes its members as workers.

Waste pickers now collect recyclable materials door to door under a contract with the city,
which pays them for an environmental service.

Home-based workers, most of them women, have joined the network to demand minimum piece rates
and access to social security.

A local ordinance now recognizes street vendors and waste pickers as workers, with
designated spaces and access to municipal social protection.
"""
    ),
    "Indicators and Measures of Impact": _blocks(
        """
Social impact is measured every year with indicators co-designed with members: income, working
hours, health, participation and self-esteem.

An evaluation carried out with {partner} estimated a social return of {ratio} units for every
unit of public money invested.

The cooperative publishes a social balance sheet that reports jobs created, tonnes of waste
recycled and the share of income redistributed.

The municipality adopted a dashboard of social and solidarity economy indicators, updated
every year with data gathered by the members themselves.
"""
    ),
    "Women": _blocks(
        """
Women hold {pct} percent of the seats on the board, and a childcare service allows mothers to
attend meetings and trainings.

A savings group led by women has become the first source of credit for families excluded from
commercial banks.

Women founded the cooperative after years of working alone at home, and today they set prices
and negotiate contracts themselves.
"""
    ),
    "Youth": _blocks(
        """
Young people receive training in cooperative management, accounting and digital skills, and
several have founded their own worker cooperatives.

A youth council inside the cooperative proposes new activities, from bicycle repair to community
radio programmes.

A mentoring programme pairs young members with experienced cooperators, and {pct} percent of
the trainees found stable work within a year.
"""
    ),
}
CLOSINGS = _blocks(
    """
The case shows how the social and solidarity economy can turn informal work into dignified,
collective and sustainable livelihoods.

Today the cooperative is recognized as a partner of local government and a school of democracy
for its members.

Its story shows that cooperation between the public sector and organized workers can deliver
both social inclusion and public services.

The initiative is now part of the municipal strategy for a more solidarity-based local economy.
"""
)


def _with_article(noun: str) -> str:
    return f"{'an' if noun[0].lower() in 'aeiou' else 'a'} {noun}"


_FRENCH_ELISION_RE = re.compile(r"\bde (?=[AEIOUYÉÈÎ])")
COUNTRY_BY_CODE = {country.code: country for country in COUNTRIES}


# --- The records ---


@dataclass(frozen=True)
class GeneratedOrganization:
    name: str
    kind: str
    country: str


@dataclass(frozen=True)
class Link:
    """An organization a case names, and the contact it names for the case, if any."""

    organization: GeneratedOrganization
    contact: seed.Contact | None = None


@dataclass(frozen=True)
class GeneratedCase:
    title: str
    description: str
    region: str
    country: str
    city: str
    themes: tuple[str, ...]
    links: tuple[Link, ...]
    draft: bool = False


def organizations_of(cases: list[GeneratedCase]) -> list[GeneratedOrganization]:
    """The organizations the cases name, in order of first appearance."""
    return list(dict.fromkeys(link.organization for case in cases for link in case.links))


def contacts_of(cases: list[GeneratedCase]) -> dict[GeneratedOrganization, list[seed.Contact]]:
    """The contacts the cases name, by organization, in order of first appearance."""
    named: dict[GeneratedOrganization, dict[seed.Contact, None]] = {}
    for case in cases:
        for link in case.links:
            if link.contact:
                named.setdefault(link.organization, {})[link.contact] = None
    return {organization: list(contacts) for organization, contacts in named.items()}


# --- Generation ---


class _Generator:
    """Draws everything from one random.Random, so that the seed fixes the whole output."""

    def __init__(self, seed_value: int, taken_titles: Iterable[str], taken_names: Iterable[str]):
        self.rng = random.Random(seed_value)
        self.titles = set(taken_titles)
        self.names = set(taken_names)
        self.countries: dict[str, list[Country]] = {}
        for country in COUNTRIES:
            self.countries.setdefault(country.region, []).append(country)
        self.pool: list[GeneratedOrganization] = []
        self.nearby: dict[str, list[GeneratedOrganization]] = {}
        self.contacts: dict[GeneratedOrganization, list[seed.Contact]] = {}
        self.homes: dict[GeneratedOrganization, tuple[Country, str]] = {}

    def country(self) -> Country:
        regions, weights = list(REGION_WEIGHTS), list(REGION_WEIGHTS.values())
        return self.rng.choice(self.countries[self.rng.choices(regions, weights)[0]])

    def unique(self, taken: set[str], draw: Callable[[], str]) -> str:
        """A value of draw() not taken yet; after many collisions, a numbered variant."""
        value = draw()
        for _ in range(50):
            if value not in taken:
                break
            value = draw()
        base, n = value, 2
        while value in taken:
            value, n = f"{base} ({n})", n + 1
        taken.add(value)
        return value

    def person(self, group: str) -> tuple[str, str]:
        """The honorific and name of someone of a name group."""
        rng = self.rng
        woman = rng.random() < 0.6
        given = rng.choice(PEOPLE[f"{group} {'women' if woman else 'men'}"])
        family = rng.choice(PEOPLE[f"{group} families"])
        name = f"{family} {given}" if group in FAMILY_NAME_FIRST else f"{given} {family}"
        honorific = rng.choices(["Dr.", "Prof.", ""], [15, 7, 78])[0]
        if not honorific:
            honorific = rng.choices(["Ms.", "Mrs."], [3, 1])[0] if woman else "Mr."
        return honorific, name

    def organization(self, kind: str) -> GeneratedOrganization:
        rng = self.rng
        country = self.country()
        language = rng.choice(country.languages)
        if kind not in ORGANIZATION_NAMES[language]:
            language = "en"
        templates = ORGANIZATION_NAMES[language][kind]
        home = {}

        def draw() -> str:
            home["city"] = rng.choice(country.cities)
            name = rng.choice(templates).format(
                city=home["city"],
                trade=rng.choice(TRADES[language]),
                dept=rng.choice(DEPARTMENTS[language]),
                brand=rng.choice(BRANDS),
                io=rng.choice(INTERNATIONAL_ORGANIZATIONS),
                field=rng.choice(FIELDS.get(language, FIELDS["en"])),
                family=rng.choice(PEOPLE[f"{rng.choice(country.name_groups)} families"]),
                country=country.name,
                region=country.region,
            )
            return _FRENCH_ELISION_RE.sub("d'", name) if language == "fr" else name

        organization = GeneratedOrganization(self.unique(self.names, draw), kind, country.code)
        contacts: dict[str, seed.Contact] = {}
        for _ in range(rng.choices([0, 1, 2, 3], [20, 50, 22, 8])[0]):
            honorific, name = self.person(rng.choice(country.name_groups))
            roles = ROLES[language if language in ROLES and rng.random() < 0.3 else "en"]
            role = rng.choice(roles) if rng.random() < 0.65 else ""
            contacts.setdefault(name, seed.Contact(honorific, name, role))
        self.contacts[organization] = list(contacts.values())
        self.homes[organization] = (country, home["city"])
        self.pool.append(organization)
        self.nearby.setdefault(country.region, []).append(organization)
        return organization

    def organizations(self, size: int) -> list[GeneratedOrganization]:
        """A pool of organizations of every kind (if size allows), most of them SSE ones."""
        kinds = list(seed.KINDS)[:size]
        kinds += self.rng.choices(list(KIND_WEIGHTS), list(KIND_WEIGHTS.values()), k=size - 6)
        self.rng.shuffle(kinds)
        return [self.organization(kind) for kind in kinds]

    def partner(self, country: Country) -> GeneratedOrganization:
        """An organization of the pool, most often one of the same region."""
        nearby = self.nearby.get(country.region)
        return self.rng.choice(nearby if nearby and self.rng.random() < 0.75 else self.pool)

    def contact(self, organization: GeneratedOrganization) -> seed.Contact | None:
        contacts = self.contacts[organization]
        return self.rng.choice(contacts) if contacts and self.rng.random() < 0.85 else None

    def themes(self) -> tuple[str, ...]:
        count = self.rng.choice([1, 1, 2, 2, 3])
        others = [theme for theme in seed.THEMES if theme != "Women"]
        if self.rng.random() < WOMEN_SHARE:
            chosen = {"Women", *self.rng.sample(others, count - 1)}
        else:
            chosen = set(self.rng.sample(others, count))
        return tuple(theme for theme in seed.THEMES if theme in chosen)

    def title(self, city: str, country: Country, themes: tuple[str, ...]) -> str:
        rng = self.rng

        def draw() -> str:
            practice, practice2 = rng.sample(PRACTICES, 2)
            return rng.choice(TITLES).format(
                city=city,
                country=country.name,
                practice=practice,
                practice2=practice2,
                a_practice=_with_article(practice),
                A_practice=f"A{_with_article(practice)[1:]}",
                goal=rng.choice(GOALS[rng.choice(themes)]),
                Group=rng.choice(GROUPS).title(),
                brand=rng.choice(BRANDS),
            )

        return self.unique(self.titles, draw)

    def description(self, city: str, country: Country, themes, links) -> str:
        """Prose of MIN_WORDS to MAX_WORDS words, telling more of the case's themes."""
        rng = self.rng
        values = {
            "org": links[0].organization.name,
            "partner": links[-1].organization.name
            if len(links) > 1
            else f"the municipality of {city}",
            "a_practice": _with_article(rng.choice(PRACTICES).lower()),
            "group": rng.choice(GROUPS),
            "city": city,
            "other_city": rng.choice([c for c in country.cities if c != city] or [city]),
            "country": country.name,
            "year": rng.randint(1985, 2022),
            "members": rng.randint(12, 2400),
            "shops": rng.randint(20, 400),
            "meals": rng.randint(80, 1500),
            "pct": rng.randint(55, 98),
            "ratio": f"{rng.randint(2, 6)}.{rng.randint(0, 9)}",
        }
        themed = [sentence for theme in themes for sentence in THEME_SENTENCES[theme]]
        general = list(SENTENCES)
        rng.shuffle(themed)
        rng.shuffle(general)
        openings = SUPPORTED_OPENINGS
        if links[0].organization.kind == "sse-organization":
            openings += OPENINGS
        opening, closing = rng.choice(openings).format(**values), rng.choice(CLOSINGS)
        sentences, words = [opening], len(opening.split()) + len(closing.split())
        target = rng.randint(MIN_WORDS + 10, MAX_WORDS - 10)
        for template in dict.fromkeys(themed[:3] + general + themed[3:]):
            if words >= target:
                break
            sentence = template.format(**values)
            if words + len(sentence.split()) <= MAX_WORDS:
                sentences.append(sentence)
                words += len(sentence.split())
        return " ".join([*sentences, closing])

    def case(self, lead: GeneratedOrganization) -> GeneratedCase:
        """A case set where its lead organization is, with up to two partners."""
        rng = self.rng
        country, city = self.homes[lead]
        chosen = [lead]
        for _ in range(rng.choices([0, 1, 2], [35, 45, 20])[0]):
            partner = self.partner(country)
            if partner not in chosen:
                chosen.append(partner)
        links = tuple(Link(organization, self.contact(organization)) for organization in chosen)
        themes = self.themes()
        return GeneratedCase(
            title=self.title(city, country, themes),
            description=self.description(city, country, themes, links),
            region=country.region,
            country=country.code,
            city=city,
            themes=themes,
            links=links,
        )


def generate(
    n: int,
    seed_value: int,
    draft_ratio: float = 0.0,
    *,
    taken_titles: Iterable[str] = (),
    taken_organizations: Iterable[str] = (),
) -> list[GeneratedCase]:
    """n synthetic cases, the same for the same arguments, with titles and names not taken.

    The cases name a pool of max(6, n // 2) organizations of all six kinds; each of them
    leads a case (once n >= 6), and the other cases are led by random ones of them.
    round(n * draft_ratio) random cases are drafts.
    """
    if n < 1:
        raise ValueError("the number of cases must be at least 1")
    if not 0 <= draft_ratio <= 1:
        raise ValueError("the draft ratio must be between 0 and 1")
    generator = _Generator(seed_value, taken_titles, taken_organizations)
    pool = generator.organizations(max(6, n // 2))
    leads = pool[:n] + [generator.rng.choice(pool) for _ in range(n - len(pool))]
    cases = [generator.case(lead) for lead in leads]
    drafts = set(generator.rng.sample(range(n), round(n * draft_ratio)))
    return [replace(case, draft=True) if i in drafts else case for i, case in enumerate(cases)]


# --- Output: seed text or database rows ---


def _seed_lines(cases: list[GeneratedCase]) -> tuple[list[str], list[int]]:
    """The lines of the seed text of the cases, and the line number of each title."""
    lines = [" ".join(seed.THEMES), ""]
    title_lines = []
    for case in cases:
        lines.append("")
        title_lines.append(len(lines) + 1)
        lines += [case.title, "", case.region, "", case.description, ""]
        for link in case.links:
            lines += [link.organization.name, "", seed.KINDS[link.organization.kind], ""]
            if link.contact:
                lines += [f"{link.contact.honorific} {link.contact.name}", ""]
                if link.contact.role:
                    lines += [link.contact.role, ""]
    return lines, title_lines


def to_seed_text(cases: list[GeneratedCase]) -> str:
    """The cases in the seed text format, which holds no themes, countries, cities or status."""
    return "\n".join(_seed_lines(cases)[0])


@dataclass
class GenerateReport:
    cases: int
    drafts: int
    organizations: int
    contacts: int
    target: str
    seconds: float

    def summary(self) -> str:
        return (
            f"generated {self.cases} cases ({self.drafts} drafts), {self.organizations} "
            f"organizations, {self.contacts} contacts into {self.target} "
            f"in {self.seconds:.2f} s"
        )


def _report(cases: list[GeneratedCase], target: str, started: float) -> GenerateReport:
    return GenerateReport(
        cases=len(cases),
        drafts=sum(case.draft for case in cases),
        organizations=len(organizations_of(cases)),
        contacts=sum(len(contacts) for contacts in contacts_of(cases).values()),
        target=target,
        seconds=time.perf_counter() - started,
    )


def generate_text_file(path: str | Path, n: int, seed_value: int) -> GenerateReport:
    """Write the n cases of seed_value as seed text to path; the database is not touched."""
    started = time.perf_counter()
    cases = generate(n, seed_value)
    Path(path).write_text(to_seed_text(cases), encoding="utf-8")
    return _report(cases, str(path), started)


def generate_into_database(n: int, seed_value: int, draft_ratio: float = 0.0) -> GenerateReport:
    """Generate n cases whose titles and organization names are new, and insert them.

    Titles and names already in the database are drawn again, so a second run adds n
    more cases; on an empty database the cases are exactly those of generate().
    """
    started = time.perf_counter()
    with transaction.atomic():
        cases = generate(
            n,
            seed_value,
            draft_ratio,
            taken_titles=Case.objects.values_list("title", flat=True),
            taken_organizations=Organization.objects.values_list("name", flat=True),
        )
        write_database(cases)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # plans for a table that just grew n rows
    return _report(cases, "the database", started)


def _by_name(model, names: tuple[str, ...]) -> dict:
    found = model.objects.in_bulk(list(names), field_name="name")
    missing = [name for name in names if name not in found]
    if missing:
        raise LookupError(
            f"no {model._meta.verbose_name} named {', '.join(missing)}: run `manage.py migrate`"
        )
    return found


def write_database(cases: list[GeneratedCase]) -> dict[str, int]:
    """Insert the cases and what they name, in bulk and at once; returns the rows per table.

    Titles and organization names must be new to the database (generate() can avoid
    the taken ones); themes and regions must exist. source_line is the line of the
    title in to_seed_text(cases), as if the cases had been imported from it.
    """
    themes = _by_name(Theme, seed.THEMES)
    regions = _by_name(Region, seed.REGIONS)
    title_lines = _seed_lines(cases)[1]
    with transaction.atomic():
        slugs = set(Organization.objects.values_list("slug", flat=True))
        organizations = {}
        for organization in organizations_of(cases):
            slug = unique_slug(organization.name, slugs.__contains__)
            slugs.add(slug)
            organizations[organization] = Organization(
                name=organization.name,
                source_name=organization.name,
                slug=slug,
                kind=organization.kind,
                country=organization.country,
            )
        Organization.objects.bulk_create(organizations.values(), batch_size=BATCH_SIZE)

        contacts = {
            (organization, contact): Contact(
                organization_id=organizations[organization].pk,
                honorific=contact.honorific,
                name=contact.name,
                source_name=contact.name,
                role=contact.role,
            )
            for organization, named in contacts_of(cases).items()
            for contact in named
        }
        Contact.objects.bulk_create(contacts.values(), batch_size=BATCH_SIZE)

        slugs = set(Case.objects.values_list("slug", flat=True))
        rows = []
        for case, line in zip(cases, title_lines, strict=True):
            links = [(link.organization.name, link.contact) for link in case.links]
            search_text, search_title = search_document(case.title, case.description, links)
            slug = unique_slug(case.title, slugs.__contains__)
            slugs.add(slug)
            rows.append(
                Case(
                    title=case.title,
                    source_title=case.title,
                    slug=slug,
                    description=case.description,
                    region_id=regions[case.region].pk,
                    country=case.country,
                    city=case.city,
                    status=Case.Status.DRAFT if case.draft else Case.Status.PUBLISHED,
                    source_file=SOURCE_FILE,
                    source_line=line,
                    source_facts=SOURCE_FACTS,
                    search_text=search_text,
                    search_title=search_title,
                )
            )
        Case.objects.bulk_create(rows, batch_size=BATCH_SIZE)

        theme_rows = [
            Case.themes.through(case_id=row.pk, theme_id=themes[name].pk)
            for case, row in zip(cases, rows, strict=True)
            for name in case.themes
        ]
        Case.themes.through.objects.bulk_create(theme_rows, batch_size=BATCH_SIZE)
        link_rows = [
            CaseOrganization(
                case_id=row.pk,
                organization_id=organizations[link.organization].pk,
                contact_id=contacts[(link.organization, link.contact)].pk if link.contact else None,
                position=position,
            )
            for case, row in zip(cases, rows, strict=True)
            for position, link in enumerate(case.links)
        ]
        CaseOrganization.objects.bulk_create(link_rows, batch_size=BATCH_SIZE)
        CatalogueState.objects.bump()  # bulk writes send no signals
    return {
        "organizations": len(organizations),
        "contacts": len(contacts),
        "cases": len(rows),
        "case themes": len(theme_rows),
        "case organizations": len(link_rows),
    }
