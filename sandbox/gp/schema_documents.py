"""SOP and RM documents of the stand-in's schema subset (notation: see schema_types.py)."""
# ruff: noqa: E501 - the schema notation keeps one declaration per line, however long
from __future__ import annotations

DOCUMENTS = """
# ---- SOP documents --------------------------------------------------------------------------------
type gp:Distribution : gp:BusinessObject abstract
  DistributionTypeKey? gp:DistributionTypeKey
  Reference? xs:string
  GLAccountKey? gp:GLAccountNumberKey
  DebitAmount? gp:Amount
  CreditAmount? gp:Amount
type gp:SalesDistribution : gp:Distribution
  Key? gp:SalesDistributionKey
  IsPosted xs:boolean
type gp:ArrayOfSalesDistribution
  SalesDistribution* gp:SalesDistribution
type gp:Tax : gp:BusinessObject abstract
  TaxAmount? gp:MoneyAmount
  TotalAmount? gp:MoneyAmount
  TaxableAmount? gp:MoneyAmount
  IsBackoutTax xs:boolean
type gp:SalesTax : gp:Tax abstract
  GLAccountKey? gp:GLAccountNumberKey
  IsTaxableTax xs:boolean
type gp:SalesDocumentTax : gp:SalesTax
  Key? gp:SalesDocumentTaxKey
type gp:ArrayOfSalesDocumentTax
  SalesDocumentTax* gp:SalesDocumentTax
type gp:SalesLineTax : gp:SalesTax
  Key? gp:SalesLineTaxKey
type gp:ArrayOfSalesLineTax
  SalesLineTax* gp:SalesLineTax
type gp:SalesPayment : gp:BusinessObject
  Key? gp:SalesPaymentKey
  IsProcessElectronically xs:boolean
  Date xs:dateTime
  PaymentAmount? gp:MoneyAmount
  BankAccountKey? gp:BankAccountKey
  PaymentCardTypeKey? gp:PaymentCardTypeKey
  CheckNumber? xs:string
  AuthorizationCode? xs:string
  ExpirationDate xs:dateTime
  Type gp:SalesPaymentType
  Number? xs:string
  DeleteOnUpdate xs:boolean
type gp:ArrayOfSalesPayment
  SalesPayment* gp:SalesPayment
type gp:SalesProcessHold : gp:BusinessObject
  Key? gp:SalesProcessHoldKey
  IsTransferHold xs:boolean
  IsPostHold xs:boolean
  IsFulfillHold xs:boolean
  IsPrintHold xs:boolean
  HoldDateTime xs:dateTime
  DeleteOnUpdate xs:boolean
  IsDeleted xs:boolean
type gp:ArrayOfSalesProcessHold
  SalesProcessHold* gp:SalesProcessHold
type gp:SalesReturnQuantities
  OnHandQuantity? gp:Quantity
  ReturnedQuantity? gp:Quantity
  InUseQuantity? gp:Quantity
  InServiceQuantity? gp:Quantity
  DamagedQuantity? gp:Quantity
type gp:SalesDocument : gp:BusinessObject abstract
  Key? gp:SalesDocumentKey
  Type gp:SalesDocumentType
  Date xs:dateTime
  FreightAmount? gp:MoneyAmount
  MiscellaneousAmount? gp:MoneyAmount
  TaxAmount? gp:MoneyAmount
  TradeDiscount? gp:MoneyPercentChoice
  DiscountAmount? gp:MoneyAmount
  CustomerName? xs:string
  CustomerPONumber? xs:string
  MasterNumber xs:int
  Reference? xs:string
  ExchangeRate xs:decimal
  ExchangeDate xs:dateTime
  RequestedShipDate xs:dateTime
  Comment? xs:string
  FreightTaxBasis gp:SalesTaxBasis
  MiscellaneousTaxBasis gp:SalesTaxBasis
  FreightTaxAmount? gp:MoneyAmount
  MiscellaneousTaxAmount? gp:MoneyAmount
  Note? xs:string
  TransactionState gp:SalesTransactionState
  TaxScheduleKey? gp:TaxScheduleKey
  FreightTaxScheduleKey? gp:TaxScheduleKey
  MiscellaneousTaxScheduleKey? gp:TaxScheduleKey
  LineTotalAmount? gp:MoneyAmount
  TotalAmount? gp:MoneyAmount
  CreatedBy? xs:string
  CreatedDate xs:dateTime
  ModifiedDate xs:dateTime
  LastModifiedDate xs:dateTime
  CommissionBasedOn gp:CommissionBasedOn
  ActualShipDate xs:dateTime
  FulfillDate xs:dateTime
  QuoteDate xs:dateTime
  AuditTrailCode? xs:string
  IsIntrastatDocument xs:boolean
  IsVoided xs:boolean
  ShipCompleteOnly xs:boolean
  IntegrationSource xs:int
  IntegrationId? xs:string
  InvoiceDate xs:dateTime
  BackorderDate xs:dateTime
  ReturnDate xs:dateTime
  OriginalSalesDocumentKey? gp:SalesDocumentKey
  DocumentTypeKey? gp:SalesDocumentTypeKey
  WarehouseKey? gp:WarehouseKey
  CustomerKey? gp:CustomerKey
  BatchKey? gp:BatchKey
  BillToAddressKey? gp:CustomerAddressKey
  ShipToAddressKey? gp:CustomerAddressKey
  CurrencyKey? gp:CurrencyKey
  PriceLevelKey? gp:PriceLevelKey
  ShipToAddress? gp:BusinessAddress
  ProcessHolds? gp:ArrayOfSalesProcessHold
  Taxes? gp:ArrayOfSalesDocumentTax
  FreightTaxes? gp:ArrayOfSalesDocumentTax
  MiscellaneousTaxes? gp:ArrayOfSalesDocumentTax
type gp:SalesLine : gp:BusinessObject abstract
  Key? gp:SalesLineKey
  UnitPrice? gp:MoneyAmount
  TotalAmount? gp:MoneyAmount
  Quantity? gp:Quantity
  Discount? gp:MoneyPercentChoice
  ItemDescription? xs:string
  IsNonInventory xs:boolean
  IsDropShip xs:boolean
  RequestedShipDate xs:dateTime
  Comment? xs:string
  UofM? xs:string
  DeleteOnUpdate xs:boolean
  ItemTaxScheduleKey? gp:TaxScheduleKey
  TaxBasis gp:SalesTaxBasis
  TaxAmount? gp:MoneyAmount
  TaxScheduleKey? gp:TaxScheduleKey
  SalesGLAccountKey? gp:GLAccountNumberKey
  IntegrationSource xs:int
  WarehouseKey? gp:WarehouseKey
  ItemKey? gp:ItemKey
  PriceLevelKey? gp:PriceLevelKey
  Taxes? gp:ArrayOfSalesLineTax
type gp:SalesInvoice : gp:SalesDocument
  PaymentAmount? gp:MoneyAmount
  DepositAmount? gp:MoneyAmount
  GeneralLedgerPostingDate xs:dateTime
  PostedDate xs:dateTime
  PostedBy? xs:string
  IsDirectDebit xs:boolean
  WorkflowPriority gp:WorkflowPriority
  Lines? gp:ArrayOfSalesInvoiceLine
  Payments? gp:ArrayOfSalesPayment
  Distributions? gp:ArrayOfSalesDistribution
type gp:SalesInvoiceLine : gp:SalesLine
  ActualShipDate xs:dateTime
  QuantityAllocated? gp:Quantity
  FulfillDate xs:dateTime
type gp:ArrayOfSalesInvoiceLine
  SalesInvoiceLine* gp:SalesInvoiceLine
type gp:SalesReturn : gp:SalesDocument
  PaymentAmount? gp:MoneyAmount
  GeneralLedgerPostingDate xs:dateTime
  PostedDate xs:dateTime
  PostedBy? xs:string
  Lines? gp:ArrayOfSalesReturnLine
  Distributions? gp:ArrayOfSalesDistribution
type gp:SalesReturnLine : gp:SalesLine
  ReturnQuantity? gp:SalesReturnQuantities
type gp:ArrayOfSalesReturnLine
  SalesReturnLine* gp:SalesReturnLine
type gp:SalesDocumentSummaryBase abstract
  DocumentTypeKey? gp:SalesDocumentTypeKey
  Key? gp:SalesDocumentKey
  MasterNumber xs:int
  CustomerKey? gp:CustomerKey
  CustomerPONumber? xs:string
  CustomerName? xs:string
  Date xs:dateTime
  CurrencyKey? gp:CurrencyKey
  LineTotalAmount? gp:MoneyAmount
  TradeDiscountAmount? gp:MoneyAmount
  FreightAmount? gp:MoneyAmount
  MiscellaneousAmount? gp:MoneyAmount
  TaxAmount? gp:MoneyAmount
  TotalAmount? gp:MoneyAmount
  CreatedDate xs:dateTime
  ModifiedDate xs:dateTime
  LastModifiedDate xs:dateTime
  TransactionState gp:SalesTransactionState
  BatchKey? gp:BatchKey
type gp:SalesInvoiceSummary : gp:SalesDocumentSummaryBase
type gp:ArrayOfSalesInvoiceSummary
  SalesInvoiceSummary* gp:SalesInvoiceSummary
type gp:SalesReturnSummary : gp:SalesDocumentSummaryBase
type gp:ArrayOfSalesReturnSummary
  SalesReturnSummary* gp:SalesReturnSummary

# ---- RM credit memos ------------------------------------------------------------------------------
type gp:ReceivablesDistribution : gp:Distribution
  Key? gp:ReceivablesDistributionKey
  IsPosted xs:boolean
type gp:ArrayOfReceivablesDistribution
  ReceivablesDistribution* gp:ReceivablesDistribution
type gp:ReceivablesDocument : gp:BusinessObject abstract
  Key? gp:ReceivablesDocumentKey
  Type gp:ReceivablesDocumentType
  Date xs:dateTime
  DocumentAmount? gp:MoneyAmount
  SalesAmount? gp:MoneyAmount
  Description? xs:string
  CustomerPONumber? xs:string
  TradeDiscountAmount? gp:MoneyAmount
  FreightAmount? gp:MoneyAmount
  MiscellaneousAmount? gp:MoneyAmount
  TaxAmount? gp:MoneyAmount
  ExchangeRate xs:decimal
  ExchangeDate xs:dateTime
  CustomerName? xs:string
  TransactionState gp:ReceivablesTransactionState
  GeneralLedgerPostingDate xs:dateTime
  PostedDate xs:dateTime
  IsElectronic xs:boolean
  IsIntrastatDocument xs:boolean
  IsDirectDebitDocument xs:boolean
  InvoicePaidOffDate xs:dateTime
  IsDeleted xs:boolean
  IsVoided xs:boolean
  VoidDate xs:dateTime
  ModifiedDate xs:dateTime
  BatchKey? gp:BatchKey
  CustomerKey? gp:CustomerKey
  AddressKey? gp:CustomerAddressKey
  CurrencyKey? gp:CurrencyKey
  Distributions? gp:ArrayOfReceivablesDistribution
type gp:ReceivablesCreditDocument : gp:ReceivablesDocument abstract
type gp:ReceivablesCreditMemo : gp:ReceivablesCreditDocument
type gp:ReceivablesDocumentSummaryBase abstract
  Key? gp:ReceivablesDocumentKey
  CustomerKey? gp:CustomerKey
  CustomerPONumber? xs:string
  CustomerName? xs:string
  Date xs:dateTime
  CurrencyKey? gp:CurrencyKey
  BatchKey? gp:BatchKey
  TradeDiscountAmount? gp:MoneyAmount
  FreightAmount? gp:MoneyAmount
  MiscellaneousAmount? gp:MoneyAmount
  TaxAmount? gp:MoneyAmount
  DocumentAmount? gp:MoneyAmount
  ModifiedDate xs:dateTime
  TransactionState gp:ReceivablesTransactionState
type gp:ReceivablesCreditMemoSummary : gp:ReceivablesDocumentSummaryBase
type gp:ArrayOfReceivablesCreditMemoSummary
  ReceivablesCreditMemoSummary* gp:ReceivablesCreditMemoSummary
"""
