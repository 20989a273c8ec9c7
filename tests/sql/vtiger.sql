-- vtiger CRM 7 tables a contact read needs (names, types and flags as in the install schema;
-- columns the connector does not read are left out). Then realistic rows.
CREATE TABLE vtiger_users (
  id int(11) NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_name varchar(255) DEFAULT NULL,
  first_name varchar(30) DEFAULT NULL,
  last_name varchar(30) DEFAULT NULL,
  email1 varchar(100) DEFAULT NULL,
  status varchar(25) DEFAULT NULL,
  deleted int(1) NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE vtiger_groups (
  groupid int(19) NOT NULL PRIMARY KEY,
  groupname varchar(100) DEFAULT NULL,
  description text
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE vtiger_crmentity (
  crmid int(19) NOT NULL PRIMARY KEY,
  smcreatorid int(19) NOT NULL DEFAULT 0,
  smownerid int(19) NOT NULL DEFAULT 0,
  modifiedby int(19) NOT NULL DEFAULT 0,
  setype varchar(100) DEFAULT NULL,
  description mediumtext,
  createdtime datetime NOT NULL,
  modifiedtime datetime NOT NULL,
  viewedtime datetime DEFAULT NULL,
  status varchar(50) DEFAULT NULL,
  version int(19) NOT NULL DEFAULT 0,
  presence int(1) DEFAULT 1,
  deleted int(1) NOT NULL DEFAULT 0,
  smgroupid int(19) DEFAULT NULL,
  source varchar(100) DEFAULT NULL,
  label varchar(255) DEFAULT NULL,
  KEY crmentity_smownerid_deleted_idx (smownerid, deleted),
  KEY crm_ownerid_del_setype_idx (smownerid, deleted, setype)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE vtiger_account (
  accountid int(19) NOT NULL DEFAULT 0 PRIMARY KEY,
  account_no varchar(100) NOT NULL,
  accountname varchar(100) NOT NULL,
  parentid int(19) DEFAULT 0,
  account_type varchar(200) DEFAULT NULL,
  industry varchar(200) DEFAULT NULL,
  annualrevenue decimal(25,8) DEFAULT NULL,
  rating varchar(200) DEFAULT NULL,
  ownership varchar(50) DEFAULT NULL,
  siccode varchar(50) DEFAULT NULL,
  tickersymbol varchar(30) DEFAULT NULL,
  phone varchar(30) DEFAULT NULL,
  otherphone varchar(30) DEFAULT NULL,
  email1 varchar(100) DEFAULT NULL,
  email2 varchar(100) DEFAULT NULL,
  website varchar(100) DEFAULT NULL,
  fax varchar(30) DEFAULT NULL,
  employees int(10) DEFAULT 0,
  emailoptout varchar(3) DEFAULT '0',
  notify_owner varchar(3) DEFAULT '0',
  isconvertedfromlead varchar(3) DEFAULT '0',
  KEY account_account_type_idx (account_type),
  KEY email_idx (email1, email2)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE vtiger_accountbillads (
  accountaddressid int(19) NOT NULL DEFAULT 0 PRIMARY KEY,
  bill_city varchar(30) DEFAULT NULL,
  bill_code varchar(30) DEFAULT NULL,
  bill_country varchar(30) DEFAULT NULL,
  bill_state varchar(30) DEFAULT NULL,
  bill_street varchar(250) DEFAULT NULL,
  bill_pobox varchar(30) DEFAULT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE vtiger_accountshipads (
  accountaddressid int(19) NOT NULL DEFAULT 0 PRIMARY KEY,
  ship_city varchar(30) DEFAULT NULL,
  ship_code varchar(30) DEFAULT NULL,
  ship_country varchar(30) DEFAULT NULL,
  ship_state varchar(30) DEFAULT NULL,
  ship_pobox varchar(30) DEFAULT NULL,
  ship_street varchar(250) DEFAULT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE vtiger_accountscf (
  accountid int(19) NOT NULL DEFAULT 0 PRIMARY KEY,
  cf_853 varchar(20) DEFAULT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE vtiger_contactdetails (
  contactid int(19) NOT NULL DEFAULT 0 PRIMARY KEY,
  contact_no varchar(100) NOT NULL,
  accountid int(19) DEFAULT NULL,
  salutation varchar(200) DEFAULT NULL,
  firstname varchar(40) DEFAULT NULL,
  lastname varchar(80) NOT NULL,
  email varchar(100) DEFAULT NULL,
  phone varchar(50) DEFAULT NULL,
  mobile varchar(50) DEFAULT NULL,
  title varchar(50) DEFAULT NULL,
  department varchar(30) DEFAULT NULL,
  fax varchar(50) DEFAULT NULL,
  reportsto varchar(30) DEFAULT NULL,
  training varchar(50) DEFAULT NULL,
  usertype varchar(50) DEFAULT NULL,
  contacttype varchar(50) DEFAULT NULL,
  otheremail varchar(100) DEFAULT NULL,
  secondaryemail varchar(100) DEFAULT NULL,
  donotcall varchar(3) DEFAULT NULL,
  emailoptout varchar(3) DEFAULT '0',
  imagename varchar(150) DEFAULT NULL,
  reference varchar(3) DEFAULT NULL,
  notify_owner varchar(3) DEFAULT '0',
  isconvertedfromlead varchar(3) DEFAULT '0',
  KEY contactdetails_accountid_idx (accountid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE vtiger_contactaddress (
  contactaddressid int(19) NOT NULL DEFAULT 0 PRIMARY KEY,
  mailingcity varchar(40) DEFAULT NULL,
  mailingstreet varchar(250) DEFAULT NULL,
  mailingcountry varchar(40) DEFAULT NULL,
  othercountry varchar(30) DEFAULT NULL,
  mailingstate varchar(30) DEFAULT NULL,
  mailingpobox varchar(30) DEFAULT NULL,
  othercity varchar(40) DEFAULT NULL,
  otherstate varchar(50) DEFAULT NULL,
  mailingzip varchar(30) DEFAULT NULL,
  otherzip varchar(30) DEFAULT NULL,
  otherstreet varchar(250) DEFAULT NULL,
  otherpobox varchar(30) DEFAULT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE vtiger_contactsubdetails (
  contactsubscriptionid int(19) NOT NULL DEFAULT 0 PRIMARY KEY,
  homephone varchar(50) DEFAULT NULL,
  otherphone varchar(50) DEFAULT NULL,
  assistant varchar(30) DEFAULT NULL,
  assistantphone varchar(50) DEFAULT NULL,
  birthday date DEFAULT NULL,
  laststayintouchrequest int(30) DEFAULT 0,
  laststayintouchsavedate int(19) DEFAULT 0,
  leadsource varchar(200) DEFAULT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE vtiger_contactscf (
  contactid int(19) NOT NULL DEFAULT 0 PRIMARY KEY,
  cf_851 varchar(255) DEFAULT NULL,
  cf_853 varchar(3) DEFAULT '0'
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

INSERT INTO vtiger_users (id, user_name, first_name, last_name, status) VALUES
(1, 'admin', NULL, 'Administrator', 'Active'),
(5, 'pcosta', 'Paulo', 'Costa', 'Active');
INSERT INTO vtiger_groups (groupid, groupname) VALUES (3, 'Marketing Group');

INSERT INTO vtiger_crmentity (crmid, smcreatorid, smownerid, modifiedby, setype, createdtime, modifiedtime, deleted, label) VALUES
(10, 1, 1, 1, 'Accounts', '2019-01-01 09:00:00', '2019-01-01 09:00:00', 0, 'Padaria Pão Quente'),
(11, 1, 1, 1, 'Accounts', '2015-01-01 09:00:00', '2016-01-01 09:00:00', 1, 'Extinta Ltda'),
(20, 5, 5, 5, 'Contacts', '2020-02-03 14:20:00', '2023-01-09 11:00:00', 0, 'Maria Oliveira'),
(21, 1, 3, 1, 'Contacts', '2021-07-15 08:05:00', '2021-07-15 08:05:00', 0, 'Pedro Santos'),
(22, 5, 5, 5, 'Contacts', '2017-04-04 10:00:00', '2018-04-04 10:00:00', 1, 'Old Contact'),
(23, 5, 5, 5, 'Contacts', '2022-09-09 16:30:00', '2022-09-10 16:30:00', 0, 'Rita Alves');

INSERT INTO vtiger_account (accountid, account_no, accountname, industry, phone) VALUES
(10, 'ACC1', 'Padaria Pão Quente', 'Food', '(11) 5555-0000'),
(11, 'ACC2', 'Extinta Ltda', NULL, NULL);

INSERT INTO vtiger_contactdetails (contactid, contact_no, accountid, salutation, firstname, lastname, email, phone, mobile, title, otheremail, secondaryemail, donotcall, emailoptout) VALUES
(20, 'CON1', 10, 'Mrs.', 'Maria', 'Oliveira', 'maria@paoquente.com.br', '(11) 5555-0001', '11 97777-1234', 'Gerente', 'maria.oliveira@gmail.com', NULL, '0', '0'),
(21, 'CON2', 11, NULL, 'Pedro', 'SANTOS', 'PEDRO.SANTOS@YAHOO.COM.BR ', NULL, '+55 (21) 98888-7777', NULL, NULL, 'pedro@santos.dev', '1', '1'),
(22, 'CON3', 10, NULL, 'Old', 'Contact', 'old@contact.example', NULL, NULL, NULL, NULL, NULL, '0', '0'),
(23, 'CON4', NULL, NULL, 'Rita', 'Alves', NULL, '31 3222-1111', NULL, 'Autônoma', NULL, NULL, '0', '0');

INSERT INTO vtiger_contactaddress (contactaddressid, mailingcity, mailingstreet, mailingcountry, mailingstate, mailingzip, othercity) VALUES
(20, 'São Paulo', 'Rua da Consolação, 200', 'Brazil', 'SP', '01302-000', NULL),
(21, 'Rio de Janeiro', 'Rua Voluntários da Pátria 45', 'Brasil', 'RJ', '22270-000', 'Niterói'),
(22, 'Santos', NULL, 'Brasil', 'SP', NULL, NULL),
(23, 'Belo Horizonte', NULL, 'Brasil', 'MG', '30140-071', NULL);

INSERT INTO vtiger_contactsubdetails (contactsubscriptionid, homephone, otherphone, birthday, leadsource) VALUES
(20, '11 3030-4040', NULL, '1985-12-01', 'Trade Show'),
(21, NULL, '21 2121-2121', NULL, 'Web Site'),
(22, NULL, NULL, NULL, NULL),
(23, NULL, NULL, NULL, NULL);

INSERT INTO vtiger_contactscf (contactid, cf_851, cf_853) VALUES
(20, '987.654.321-00', '1'), (21, NULL, '0'), (22, NULL, '0'), (23, '12.345.678/0001-95', '0');

-- Organizations: billing and shipping addresses, a CNPJ custom field, an e-mail for a website.
INSERT INTO vtiger_crmentity (crmid, smcreatorid, smownerid, modifiedby, setype, createdtime, modifiedtime, deleted, label) VALUES
(12, 5, 5, 5, 'Accounts', '2021-03-03 09:00:00', '2022-03-03 09:00:00', 0, 'Santos Engenharia');

INSERT INTO vtiger_account (accountid, account_no, accountname, phone, otherphone, email1, website) VALUES
(12, 'ACC3', 'SANTOS ENGENHARIA LTDA', '21 2555-1000', NULL, 'contato@santoseng.com.br', '');

UPDATE vtiger_account SET website = 'www.paoquente.com.br', otherphone = '(11) 5555-0009'
  WHERE accountid = 10;

INSERT INTO vtiger_accountbillads (accountaddressid, bill_city, bill_code, bill_country, bill_state, bill_street) VALUES
(10, 'São Paulo', '01302-000', 'Brasil', 'SP', 'Rua da Consolação, 180'),
(11, 'Recife', '50000-000', 'Brasil', 'PE', 'Rua Velha 1'),
(12, 'Rio de Janeiro', '22270-000', 'Brasil', 'RJ', 'Rua Voluntários da Pátria 50');

INSERT INTO vtiger_accountshipads (accountaddressid, ship_city, ship_street) VALUES
(10, 'Guarulhos', 'Rodovia Dutra km 220');

INSERT INTO vtiger_accountscf (accountid, cf_853) VALUES
(10, '11.222.333/0001-81'),
(12, NULL);

