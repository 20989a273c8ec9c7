-- CiviCRM 5 tables a contact read needs (names, types and flags as in civicrm.mysql; columns
-- the connector does not read are left out). Then realistic rows.
CREATE TABLE civicrm_country (
  id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name varchar(64) DEFAULT NULL,
  iso_code char(2) DEFAULT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE civicrm_state_province (
  id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name varchar(64) DEFAULT NULL,
  abbreviation varchar(4) DEFAULT NULL,
  country_id int unsigned NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE civicrm_contact (
  id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  contact_type varchar(64) DEFAULT NULL,
  external_identifier varchar(64) DEFAULT NULL,
  do_not_email tinyint NOT NULL DEFAULT 0,
  do_not_phone tinyint NOT NULL DEFAULT 0,
  do_not_mail tinyint NOT NULL DEFAULT 0,
  do_not_sms tinyint NOT NULL DEFAULT 0,
  do_not_trade tinyint NOT NULL DEFAULT 0,
  is_opt_out tinyint NOT NULL DEFAULT 0,
  legal_identifier varchar(32) DEFAULT NULL,
  sort_name varchar(128) DEFAULT NULL,
  display_name varchar(128) DEFAULT NULL,
  nick_name varchar(128) DEFAULT NULL,
  legal_name varchar(128) DEFAULT NULL,
  preferred_language varchar(5) DEFAULT NULL,
  source varchar(255) DEFAULT NULL,
  first_name varchar(64) DEFAULT NULL,
  middle_name varchar(64) DEFAULT NULL,
  last_name varchar(64) DEFAULT NULL,
  prefix_id int unsigned DEFAULT NULL,
  suffix_id int unsigned DEFAULT NULL,
  job_title varchar(255) DEFAULT NULL,
  gender_id int unsigned DEFAULT NULL,
  birth_date date DEFAULT NULL,
  is_deceased tinyint NOT NULL DEFAULT 0,
  deceased_date date DEFAULT NULL,
  household_name varchar(128) DEFAULT NULL,
  organization_name varchar(128) DEFAULT NULL,
  sic_code varchar(8) DEFAULT NULL,
  employer_id int unsigned DEFAULT NULL,
  is_deleted tinyint NOT NULL DEFAULT 0,
  created_date timestamp NULL DEFAULT NULL,
  modified_date timestamp NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  KEY index_contact_type (contact_type),
  KEY index_is_deleted_sort_name (is_deleted, sort_name, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE civicrm_email (
  id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  contact_id int unsigned DEFAULT NULL,
  location_type_id int unsigned DEFAULT NULL,
  email varchar(254) DEFAULT NULL,
  is_primary tinyint NOT NULL DEFAULT 0,
  is_billing tinyint NOT NULL DEFAULT 0,
  on_hold tinyint NOT NULL DEFAULT 0,
  is_bulkmail tinyint NOT NULL DEFAULT 0,
  hold_date datetime DEFAULT NULL,
  reset_date datetime DEFAULT NULL,
  KEY index_is_primary (is_primary)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE civicrm_phone (
  id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  contact_id int unsigned DEFAULT NULL,
  location_type_id int unsigned DEFAULT NULL,
  is_primary tinyint NOT NULL DEFAULT 0,
  is_billing tinyint NOT NULL DEFAULT 0,
  mobile_provider_id int unsigned DEFAULT NULL,
  phone varchar(32) DEFAULT NULL,
  phone_ext varchar(16) DEFAULT NULL,
  phone_numeric varchar(32) DEFAULT NULL,
  phone_type_id int unsigned DEFAULT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE civicrm_address (
  id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  contact_id int unsigned DEFAULT NULL,
  location_type_id int unsigned DEFAULT NULL,
  is_primary tinyint NOT NULL DEFAULT 0,
  is_billing tinyint NOT NULL DEFAULT 0,
  street_address varchar(96) DEFAULT NULL,
  supplemental_address_1 varchar(96) DEFAULT NULL,
  supplemental_address_2 varchar(96) DEFAULT NULL,
  city varchar(64) DEFAULT NULL,
  postal_code_suffix varchar(12) DEFAULT NULL,
  postal_code varchar(64) DEFAULT NULL,
  state_province_id int unsigned DEFAULT NULL,
  country_id int unsigned DEFAULT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO civicrm_country (id, name, iso_code) VALUES (1076, 'Brazil', 'BR'), (1228, 'United States', 'US');
INSERT INTO civicrm_state_province (id, name, abbreviation, country_id) VALUES
(1025, 'Rio Grande do Sul', 'RS', 1076), (1004, 'California', 'CA', 1228);

INSERT INTO civicrm_contact (id, contact_type, do_not_email, is_opt_out, sort_name, display_name, first_name, middle_name, last_name, job_title, organization_name, employer_id, is_deleted, created_date, modified_date, source) VALUES
(1, 'Organization', 0, 0, 'Cooperativa Sul', 'Cooperativa Sul', NULL, NULL, NULL, NULL, 'Cooperativa Sul', NULL, 0, '2018-01-01 00:00:00', '2018-01-01 00:00:00', NULL),
(2, 'Organization', 0, 0, 'Trashed Org', 'Trashed Org', NULL, NULL, NULL, NULL, 'Trashed Org', NULL, 1, '2018-01-01 00:00:00', '2019-01-01 00:00:00', NULL),
(3, 'Individual', 0, 0, 'Becker, Fernanda', 'Fernanda Becker', 'Fernanda', 'Lima', 'Becker', 'Coordenadora', 'Cooperativa Sul', 1, 0, '2019-05-20 10:00:00', '2024-02-01 09:30:00', 'Evento 2019'),
(4, 'Individual', 1, 1, 'Smith, John', 'John Smith', 'John', NULL, 'Smith', NULL, 'Trashed Org', 2, 0, '2020-08-08 08:08:08', '2020-08-08 08:08:08', NULL),
(5, 'Individual', 0, 0, 'Trash, Someone', 'Someone Trash', 'Someone', NULL, 'Trash', NULL, NULL, NULL, 1, '2017-01-01 00:00:00', '2017-01-01 00:00:00', NULL),
(6, 'Household', 0, 0, 'Becker family', 'Becker family', NULL, NULL, NULL, NULL, NULL, NULL, 0, '2019-05-20 10:00:00', '2019-05-20 10:00:00', NULL),
(7, 'Individual', 0, 0, 'Nunes, Bia', 'Bia Nunes', 'Bia', NULL, 'Nunes', NULL, NULL, NULL, 0, '2023-03-03 03:03:03', '2023-03-04 03:03:03', NULL);

INSERT INTO civicrm_email (contact_id, location_type_id, email, is_primary, on_hold) VALUES
(3, 2, 'fernanda@coopsul.org.br', 0, 0),
(3, 1, 'fe.becker@gmail.com', 1, 0),
(3, 3, 'fernanda@bounced.example', 0, 1),
(4, 1, 'john.smith@example.com', 1, 0),
(5, 1, 'someone@trash.example', 1, 0),
(1, 2, 'contato@coopsul.org.br', 1, 0),
(7, 1, 'bia@bounce.example', 1, 1);

INSERT INTO civicrm_phone (contact_id, location_type_id, is_primary, phone, phone_ext, phone_type_id) VALUES
(3, 1, 0, '(51) 99123-4567', NULL, 2),
(3, 2, 1, '51 3212-0000', '204', 1),
(3, 2, 0, '51 3212-0001', NULL, 3),
(4, 1, 1, '+1 415 555 0100', NULL, 1),
(7, 1, 1, '(11) 91234-5678', NULL, 2);

INSERT INTO civicrm_address (contact_id, location_type_id, is_primary, street_address, supplemental_address_1, city, postal_code, state_province_id, country_id) VALUES
(3, 2, 0, 'Av. Ipiranga, 6681', 'Prédio 32', 'Porto Alegre', '90619-900', 1025, 1076),
(3, 1, 1, 'Rua dos Andradas, 1001', 'apto 5', 'Porto Alegre', '90020-007', 1025, 1076),
(4, 1, 1, '1 Market St', NULL, 'San Francisco', '94105', 1004, 1228);

-- Organizations: a website, a phone and an address for the live one, a CNPJ as legal id.
CREATE TABLE civicrm_website (
  id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  contact_id int unsigned DEFAULT NULL,
  url varchar(2048) DEFAULT NULL,
  website_type_id int unsigned DEFAULT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO civicrm_contact (id, contact_type, sort_name, display_name, organization_name, legal_name, legal_identifier, is_deleted, created_date, modified_date) VALUES
(8, 'Organization', 'Padaria Central', 'Padaria Central', 'Padaria Central', 'Padaria Central Ltda', '11.222.333/0001-81', 0, '2022-01-01 00:00:00', '2022-06-01 00:00:00');

UPDATE civicrm_contact SET legal_name = 'Cooperativa Sul Ltda' WHERE id = 1;

INSERT INTO civicrm_website (contact_id, url, website_type_id) VALUES
(8, 'https://www.padariacentral.com.br/contato', 1);

INSERT INTO civicrm_phone (contact_id, location_type_id, is_primary, phone, phone_ext, phone_type_id) VALUES
(1, 3, 1, '(51) 3330-1000', NULL, 1),
(1, 3, 0, '(51) 3330-1001', NULL, 3);

INSERT INTO civicrm_address (contact_id, location_type_id, is_primary, street_address, city, postal_code, state_province_id, country_id) VALUES
(1, 3, 1, 'Rua Sete de Setembro, 500', 'Porto Alegre', '90010-190', 1025, 1076);

