"""The 2024 service agreement, as written in the signed document (Finnish).

Areas and tasks are copied word for word, spelling included; `seed_demo` loads them.
"""

TITLE_2024 = 'Kirjastopalveluiden tuottamista koskeva sopimus'

INTRODUCTION_2024 = 'Forssan kaupunginkirjasto tuottaa vuonna 2024 kuntien Louna-kirjastoille seuraavat sovittuihin palvelukokonaisuuksiin liittyvät toimenpiteet:'

# (number, area title, [tasks])
AREAS_2024 = [
    (
        1,
        'Yhteisen kirjastojärjestelmän ja yhteisten verkkopalveluiden koordinointi sekä opastaminen Louna-kirjastojen henkilöstölle',
        [
            'Mikromarc-tietokannan yhtenäisyyteen ja eheyteen liittyvien toimenpiteiden vuotuinen valmistelu ja niiden toteuttaminen yhdessä sovitulla tavalla (esim. ohjaustiedot, integraatoraja-pinnat, aineiston kuvailutiedot)',
            'Kirjastotietojärjestelmä Mikromarcin Quriaan vaihtamisen valmistelu ja koordinointi yhteistyössä Louna-kirjastojen kanssa',
            'Finna-verkkokirjastoalustan räätälöinti Louna-kirjastojen vuoden 2024 toimintaympäristön muutosten tarpeisiin alustan tarjoamien mahdollisuuksien mukaan',
            'Finna-verkkokirjaston kehittämistyön koordinointi ja yhdessä sovittujen muutostöiden toteuttaminen (esim. etusivun tapahtumien jaottelu kuntakategorioihin, etusivun muutokset ja ulkoasu) sekä uusien sisältösivujen tekninen toteutus kirjastojen yhteisten ideoiden/tarpeiden mukaan ja niiden avaaminen verkossa (esim. e-aineistot)',
            'Finna-verkkokirjaston kautta saapuvan ao. palveluun liittyvän asiakaspalautteen käsittely',
            'Lounakirjailijat-verkkosivuston pääkäyttäjätehtävät',
            'em. yhteisten verkkopalveluiden saavutettavuuden seuranta vuosittain',
            'käytössä olevien yhteisten tietojärjestelmien ja verkkopalveluiden käytön opastaminen Louna-kirjastohenkilöstölle vuoden 2024 aikana ilmenneen tarpeen mukaan',
            'Cineast-elokuvapalvelun käyttöönoton koordinointi ja pääkäyttäjätehtävät',
            'Kuntien yhteisen e-kirjaston pääkäyttäjätehtävät sekä ao. palveluun liittyvän asiakaspalautteen käsittely',
            'uusien yhteisten verkkopalveluiden käyttöönoton valmistelu tarvittaessa',
        ],
    ),
    (
        2,
        'Tiedon tuottaminen tietojärjestelmistä ja verkkopalveluista kunnille OKM:n vuositilastoa varten',
        [
            'palvelupistekohtaiset vuotta 2024 koskevat kirjastoaineiston poisto-, hankinta-, kokoelma- ja lainaustilastotiedot',
            'Axiellin käyttäjätuesta pyydettyjen/saatujen vuotta 2024 koskevien palvelupistekohtaisten aktiivisten asiakkaiden lukumäärätietojen välittäminen kirjastoille',
            'yhteisten verkkopalveluiden (Lounakirjailijat-verkkosivusto ja Finna-verkkokirjasto) vuotta 2024 koskevat verkkokäyntien kuntakohtaisesti jaetut käyttömäärätiedot',
        ],
    ),
    (
        3,
        'Sisällön tuottaminen verkkopalveluihin Louna-kirjastojen yhteisistä tapahtumista, tilaisuuksista ja ajankohtaisista asioista',
        [
            'kirjastojen yhteisiksi sovituihin ja yhteisesti toteutettavista tapahtumista ja tilaisuuksista sekä ajankohtaisista asioista viestintä Finna-verkkokirjastossa',
        ],
    ),
    (
        4,
        'Yhteisten e-aineistojen valinta, tilaaminen ja luettelointi (ei sisällä aineistokustannuksia) sekä e-aineistojen vuotuisten käyttötilastojen tuottaminen',
        [
            'vuoden 2024 e-aineistojen (e-kirjat, e-äänikirjat, lehtipalvelut, musiikkipalvelut) valinta, tilaaminen ja luettelointi kirjastonjohtajien yhteisesti päättämiä periaatteita noudattaen',
            'yhteisten e-aineistojen OKM:n vuositilastoja varten tarvittavien vuotta 2024 koskevien kuntakohtaisesti jaettujen lukumäärä-, käyttökerta- ja hankintatietojen tuottaminen ja toimittaminen Louna-kirjastoille',
        ],
    ),
    (
        5,
        'Louna-kirjastoyhteistyön koordinointi ja yhteistyön kehittäminen yhdessä Louna-kirjastonjohtajien kanssa',
        [
            'Louna-kirjastonjohtajien vuoden 2024 kokousten aikataulun laadinta, puheenjohtaminen ja esille tulevien/otettavien asioiden koordinointi',
            'Forssan kaupungin Teams-alustalle tehdyn Louna-kirjastotiimin ylläpito',
            'Louna-kirjastojen yhteistyötapojen kehittämistarpeen seuraaminen ja siihen vastaaminen',
        ],
    ),
    (
        6,
        'Vuotuisen yhteistyöohjelman laatiminen, sen toteutumisen seuranta ja raportointi kunnille',
        [
            'vuotta 2024 koskevan toimenpideohjelman työsto yhdessä Louna-kirjastojohtajien kanssa ja valmiin toimenpideohjelman toimittaminen kullekin kirjastolle (jaettavaksi omassa kunnassa tarkoituksenmukaisille tahoille)',
            'vuoden 2024 toimenpideohjelman toteutumisesta laaditaan lyhyt raportti ja se toimitetaan vuoden 2025 alussa kullekin kirjastolle (jaettavaksi omassa kunnassa tarkoituksenmukaisille tahoille)',
        ],
    ),
    (
        7,
        'Yhteisten hankemahdollisuuksien edistäminen',
        [
            'Louna-kirjastoilla on vielä vuoden 2024 aikana käynnissä yhteinen Taukotila-hanke, jonka toteuttamista edistetään ja seurataan yhteisesti sovitulla tavoin. Vuoden 2024 aikana Louna-johtajien kokouksissa keskustellaan mahdollisista uusista hanketarpeista.',
        ],
    ),
]

TASK_COUNT_2024 = 23
