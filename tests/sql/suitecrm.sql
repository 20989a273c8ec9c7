-- SuiteCRM 7 / SugarCRM CE tables a contact read needs (columns, types and flags as in the
-- install SQL; columns the connector does not read are left out). Then realistic rows.
CREATE TABLE users (
  id char(36) NOT NULL PRIMARY KEY,
  user_name varchar(60) DEFAULT NULL,
  first_name varchar(255) DEFAULT NULL,
  last_name varchar(255) DEFAULT NULL,
  status varchar(100) DEFAULT NULL,
  deleted tinyint(1) DEFAULT 0
) CHARACTER SET utf8;

CREATE TABLE contacts (
  id char(36) NOT NULL PRIMARY KEY,
  date_entered datetime DEFAULT NULL,
  date_modified datetime DEFAULT NULL,
  modified_user_id char(36) DEFAULT NULL,
  created_by char(36) DEFAULT NULL,
  description text,
  deleted tinyint(1) DEFAULT 0,
  assigned_user_id char(36) DEFAULT NULL,
  salutation varchar(255) DEFAULT NULL,
  first_name varchar(100) DEFAULT NULL,
  last_name varchar(100) DEFAULT NULL,
  title varchar(100) DEFAULT NULL,
  photo varchar(255) DEFAULT NULL,
  department varchar(255) DEFAULT NULL,
  do_not_call tinyint(1) DEFAULT 0,
  phone_home varchar(100) DEFAULT NULL,
  phone_mobile varchar(100) DEFAULT NULL,
  phone_work varchar(100) DEFAULT NULL,
  phone_other varchar(100) DEFAULT NULL,
  phone_fax varchar(100) DEFAULT NULL,
  lawful_basis text,
  date_reviewed date DEFAULT NULL,
  lawful_basis_source varchar(100) DEFAULT NULL,
  primary_address_street varchar(150) DEFAULT NULL,
  primary_address_city varchar(100) DEFAULT NULL,
  primary_address_state varchar(100) DEFAULT NULL,
  primary_address_postalcode varchar(20) DEFAULT NULL,
  primary_address_country varchar(255) DEFAULT NULL,
  alt_address_street varchar(150) DEFAULT NULL,
  alt_address_city varchar(100) DEFAULT NULL,
  alt_address_state varchar(100) DEFAULT NULL,
  alt_address_postalcode varchar(20) DEFAULT NULL,
  alt_address_country varchar(255) DEFAULT NULL,
  assistant varchar(75) DEFAULT NULL,
  assistant_phone varchar(100) DEFAULT NULL,
  lead_source varchar(255) DEFAULT NULL,
  reports_to_id char(36) DEFAULT NULL,
  birthdate date DEFAULT NULL,
  campaign_id char(36) DEFAULT NULL,
  joomla_account_id varchar(255) DEFAULT NULL,
  portal_account_disabled tinyint(1) DEFAULT NULL,
  portal_user_type varchar(100) DEFAULT 'Single',
  KEY idx_cont_last_first (last_name, first_name, deleted),
  KEY idx_contacts_del_last (deleted, last_name)
) CHARACTER SET utf8;

CREATE TABLE contacts_cstm (
  id_c char(36) NOT NULL PRIMARY KEY,
  jjwg_maps_lng_c float(11,8) DEFAULT 0.00000000,
  jjwg_maps_lat_c float(10,8) DEFAULT 0.00000000,
  cpf_c varchar(20) DEFAULT NULL,
  segmento_c varchar(100) DEFAULT NULL
) CHARACTER SET utf8;

CREATE TABLE email_addresses (
  id char(36) NOT NULL PRIMARY KEY,
  email_address varchar(255) DEFAULT NULL,
  email_address_caps varchar(255) DEFAULT NULL,
  invalid_email tinyint(1) DEFAULT 0,
  opt_out tinyint(1) DEFAULT 0,
  confirm_opt_in varchar(255) DEFAULT 'not-opt-in',
  date_created datetime DEFAULT NULL,
  date_modified datetime DEFAULT NULL,
  deleted tinyint(1) DEFAULT 0,
  KEY idx_ea_caps_opt_out_invalid (email_address_caps, opt_out, invalid_email)
) CHARACTER SET utf8;

CREATE TABLE email_addr_bean_rel (
  id char(36) NOT NULL PRIMARY KEY,
  email_address_id char(36) NOT NULL,
  bean_id char(36) DEFAULT NULL,
  bean_module varchar(100) DEFAULT NULL,
  primary_address tinyint(1) DEFAULT 0,
  reply_to_address tinyint(1) DEFAULT 0,
  date_created datetime DEFAULT NULL,
  date_modified datetime DEFAULT NULL,
  deleted tinyint(1) DEFAULT 0,
  KEY idx_email_address_id (email_address_id),
  KEY idx_bean_id (bean_id, bean_module)
) CHARACTER SET utf8;

CREATE TABLE accounts (
  id char(36) NOT NULL PRIMARY KEY,
  name varchar(150) DEFAULT NULL,
  date_entered datetime DEFAULT NULL,
  date_modified datetime DEFAULT NULL,
  modified_user_id char(36) DEFAULT NULL,
  created_by char(36) DEFAULT NULL,
  description text,
  deleted tinyint(1) DEFAULT 0,
  assigned_user_id char(36) DEFAULT NULL,
  account_type varchar(50) DEFAULT NULL,
  industry varchar(50) DEFAULT NULL,
  annual_revenue varchar(100) DEFAULT NULL,
  phone_fax varchar(100) DEFAULT NULL,
  billing_address_street varchar(150) DEFAULT NULL,
  billing_address_city varchar(100) DEFAULT NULL,
  billing_address_state varchar(100) DEFAULT NULL,
  billing_address_postalcode varchar(20) DEFAULT NULL,
  billing_address_country varchar(255) DEFAULT NULL,
  rating varchar(100) DEFAULT NULL,
  phone_office varchar(100) DEFAULT NULL,
  phone_alternate varchar(100) DEFAULT NULL,
  website varchar(255) DEFAULT NULL,
  ownership varchar(100) DEFAULT NULL,
  employees varchar(10) DEFAULT NULL,
  ticker_symbol varchar(10) DEFAULT NULL,
  shipping_address_street varchar(150) DEFAULT NULL,
  shipping_address_city varchar(100) DEFAULT NULL,
  shipping_address_state varchar(100) DEFAULT NULL,
  shipping_address_postalcode varchar(20) DEFAULT NULL,
  shipping_address_country varchar(255) DEFAULT NULL,
  parent_id char(36) DEFAULT NULL,
  sic_code varchar(10) DEFAULT NULL,
  campaign_id char(36) DEFAULT NULL,
  KEY idx_accnt_id_del (id, deleted),
  KEY idx_accnt_name_del (name, deleted),
  KEY idx_accnt_parent_id (parent_id)
) CHARACTER SET utf8;

CREATE TABLE accounts_cstm (
  id_c char(36) NOT NULL PRIMARY KEY,
  jjwg_maps_lng_c float(11,8) DEFAULT 0.00000000,
  jjwg_maps_lat_c float(10,8) DEFAULT 0.00000000,
  cnpj_c varchar(20) DEFAULT NULL
) CHARACTER SET utf8;

CREATE TABLE accounts_contacts (
  id varchar(36) NOT NULL PRIMARY KEY,
  contact_id varchar(36) DEFAULT NULL,
  account_id varchar(36) DEFAULT NULL,
  date_modified datetime DEFAULT NULL,
  deleted tinyint(1) DEFAULT 0,
  KEY idx_account_contact (account_id, contact_id),
  KEY idx_contid_del_accid (contact_id, deleted, account_id)
) CHARACTER SET utf8;

INSERT INTO users (id, user_name, first_name, last_name, status, deleted) VALUES
('u-1', 'admin', NULL, 'Administrator', 'Active', 0),
('u-2', 'mferreira', 'Marina', 'Ferreira', 'Active', 0);

INSERT INTO contacts (id, date_entered, date_modified, deleted, assigned_user_id, salutation,
  first_name, last_name, title, do_not_call, phone_home, phone_mobile, phone_work, phone_other,
  phone_fax, primary_address_street, primary_address_city, primary_address_state,
  primary_address_postalcode, primary_address_country, alt_address_city, lead_source, birthdate) VALUES
('c-1', '2019-03-04 10:15:00', '2023-07-01 08:00:00', 0, 'u-2', 'Sr.', 'João', 'da Silva', 'Diretor Comercial', 0,
 NULL, '(11) 98765-4321', '11 3456-7890', NULL, '11 3456-7899', 'Rua Augusta, 1500 - ap 12', 'São Paulo', 'SP', '01304-001', 'Brasil', 'Campinas', 'Web Site', '1980-05-17'),
('c-2', '2020-01-10 09:00:00', '2020-01-10 09:00:00', 0, 'u-1', NULL, 'ANA', 'PEREIRA', NULL, 1,
 '21 2222-3333', NULL, NULL, '+55 21 99999-0000', NULL, 'Av. Atlântica 200', 'Rio de Janeiro', 'RJ', '22010000', 'BR', NULL, 'Cold Call', NULL),
('c-3', '2018-06-01 12:00:00', '2021-02-02 13:00:00', 1, 'u-2', NULL, 'Carlos', 'Deleted', NULL, 0,
 NULL, '11 90000-0001', NULL, NULL, NULL, NULL, 'Santos', 'SP', NULL, 'Brasil', NULL, NULL, NULL),
('c-4', '2022-11-30 17:45:00', '2022-12-01 10:00:00', 0, NULL, NULL, NULL, 'Souza & Filhos', NULL, 0,
 NULL, NULL, '(31) 3333-4444', NULL, NULL, NULL, 'Belo Horizonte', 'MG', '30130-000', 'Brasil', NULL, NULL, NULL),
('c-5', '2021-05-05 08:30:00', '2021-05-06 08:30:00', 0, 'u-2', 'Sra.', 'Lúcia', 'Gómez', 'CFO', 0,
 NULL, '+34 600 123 456', NULL, NULL, NULL, 'Calle Mayor 1', 'Madrid', NULL, '28013', 'España', NULL, 'Partner', NULL);

INSERT INTO contacts_cstm (id_c, cpf_c, segmento_c) VALUES
('c-1', '123.456.789-09', 'Varejo'),
('c-3', '111.111.111-11', 'Indústria'),
('c-5', NULL, 'Serviços');

INSERT INTO email_addresses (id, email_address, email_address_caps, invalid_email, opt_out, date_created, deleted) VALUES
('e-1', 'joao.silva@acme.com.br', 'JOAO.SILVA@ACME.COM.BR', 0, 0, '2019-03-04 10:15:00', 0),
('e-2', 'joao@gmail.com', 'JOAO@GMAIL.COM', 0, 0, '2019-03-05 10:15:00', 0),
('e-3', 'joao.old@acme.com', 'JOAO.OLD@ACME.COM', 1, 0, '2015-01-01 00:00:00', 0),
('e-4', 'ana.pereira@hotmail.com', 'ANA.PEREIRA@HOTMAIL.COM', 0, 1, '2020-01-10 09:00:00', 0),
('e-5', 'ana@removed.example', 'ANA@REMOVED.EXAMPLE', 0, 0, '2020-01-10 09:00:00', 1),
('e-6', 'carlos@deleted.example', 'CARLOS@DELETED.EXAMPLE', 0, 0, '2018-06-01 12:00:00', 0),
('e-7', 'lucia@gomez.es', 'LUCIA@GOMEZ.ES', 0, 0, '2021-05-05 08:30:00', 0),
('e-8', 'lucia.unlinked@gomez.es', 'LUCIA.UNLINKED@GOMEZ.ES', 0, 0, '2021-05-05 08:30:00', 0);

INSERT INTO email_addr_bean_rel (id, email_address_id, bean_id, bean_module, primary_address, date_created, deleted) VALUES
('r-1', 'e-2', 'c-1', 'Contacts', 0, '2019-03-05 10:15:00', 0),
('r-2', 'e-1', 'c-1', 'Contacts', 1, '2019-03-04 10:15:00', 0),
('r-3', 'e-3', 'c-1', 'Contacts', 0, '2015-01-01 00:00:00', 0),
('r-4', 'e-4', 'c-2', 'Contacts', 1, '2020-01-10 09:00:00', 0),
('r-5', 'e-5', 'c-2', 'Contacts', 0, '2020-01-10 09:00:00', 0),
('r-6', 'e-6', 'c-3', 'Contacts', 1, '2018-06-01 12:00:00', 0),
('r-7', 'e-7', 'c-5', 'Contacts', 1, '2021-05-05 08:30:00', 0),
('r-8', 'e-8', 'c-5', 'Contacts', 0, '2021-05-05 08:30:00', 1),
('r-9', 'e-1', 'a-1', 'Accounts', 1, '2019-03-04 10:15:00', 0);

INSERT INTO accounts (id, name, date_entered, deleted, account_type, industry, website) VALUES
('a-1', 'ACME Comércio Ltda', '2019-01-01 00:00:00', 0, 'Customer', 'Retail', 'acme.com.br'),
('a-2', 'Old Holding S.A.', '2010-01-01 00:00:00', 1, 'Customer', NULL, NULL),
('a-3', 'Praia Turismo', '2020-01-01 00:00:00', 0, 'Prospect', 'Hospitality', NULL),
('a-4', 'Gómez Asesores SL', '2021-01-01 00:00:00', 0, 'Partner', NULL, NULL);

INSERT INTO accounts_contacts (id, contact_id, account_id, date_modified, deleted) VALUES
('ac-1', 'c-1', 'a-1', '2019-03-04 10:15:00', 0),
('ac-2', 'c-1', 'a-2', '2012-01-01 00:00:00', 0),
('ac-3', 'c-2', 'a-3', '2020-01-10 09:00:00', 1),
('ac-4', 'c-5', 'a-4', '2021-05-05 08:30:00', 0);

-- Accounts as companies: addresses, phones, a CNPJ custom field, an e-mail instead of a website.
UPDATE accounts SET assigned_user_id = 'u-2', phone_office = '(11) 3456-7800',
  billing_address_street = 'Rua Augusta, 1500', billing_address_city = 'São Paulo',
  billing_address_state = 'SP', billing_address_postalcode = '01304-001',
  billing_address_country = 'Brasil', shipping_address_city = 'Campinas'
  WHERE id = 'a-1';

UPDATE accounts SET phone_office = '21 2100-0000', billing_address_city = 'Rio de Janeiro'
  WHERE id = 'a-3';

INSERT INTO email_addresses (id, email_address, email_address_caps, invalid_email, opt_out, date_created, deleted) VALUES
('e-9', 'reservas@praiaturismo.com.br', 'RESERVAS@PRAIATURISMO.COM.BR', 0, 0, '2020-01-01 00:00:00', 0),
('e-10', 'old@praia.example', 'OLD@PRAIA.EXAMPLE', 1, 0, '2019-01-01 00:00:00', 0);

INSERT INTO email_addr_bean_rel (id, email_address_id, bean_id, bean_module, primary_address, date_created, deleted) VALUES
('r-10', 'e-10', 'a-3', 'Accounts', 1, '2019-01-01 00:00:00', 0),
('r-11', 'e-9', 'a-3', 'Accounts', 0, '2020-01-01 00:00:00', 0);

INSERT INTO accounts_cstm (id_c, cnpj_c) VALUES
('a-1', '11.222.333/0001-81'),
('a-2', '99.999.999/0001-91');

